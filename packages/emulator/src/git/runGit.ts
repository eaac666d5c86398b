import { execFile } from 'node:child_process';

/** What a git command printed and how it exited. */
export interface GitRun {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs the git binary, against a bare repository when `gitDir` is given.
 * Resolves with the exit code instead of rejecting on a non-zero exit (git's
 * yes/no plumbing answers by exit code); rejects only when git cannot run.
 * The one way the emulator starts git, so that every caller gets the same
 * isolated environment (no system config, no prompts).
 */
export function runGit(
  gitDir: string | undefined,
  args: string[],
  options: { input?: Buffer | string; env?: Record<string, string> } = {},
): Promise<GitRun> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      gitDir ? ['--git-dir', gitDir, ...args] : args,
      {
        encoding: 'buffer',
        // Archives of whole repositories come through stdout.
        maxBuffer: 256 * 1024 * 1024,
        env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0', ...options.env },
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(new Error(`git ${args[0]} failed: ${stderr.toString('utf8').trim() || error.message}`));
        } else {
          resolve({ code: error ? Number(error.code) : 0, stdout, stderr: stderr.toString('utf8').trim() });
        }
      },
    );
    // git exits without reading stdin for most commands: a closed pipe is not an error.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(options.input);
  });
}

/** Runs git and returns its output, or throws `git <command> failed: <stderr>` on a non-zero exit. */
export async function runGitOk(
  gitDir: string | undefined,
  args: string[],
  options: { input?: Buffer | string; env?: Record<string, string> } = {},
): Promise<Buffer> {
  const result = await runGit(gitDir, args, options);
  if (result.code !== 0) {
    throw Object.assign(new Error(`git ${args[0]} failed: ${result.stderr || `exit code ${result.code}`}`), {
      exitCode: result.code,
    });
  }
  return result.stdout;
}
