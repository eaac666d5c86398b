import { GitLauncher, type GitRun } from './gitLauncher';

export type { GitRun } from './gitLauncher';

const launcher = new GitLauncher();

/**
 * Runs the git binary, against a bare repository when `gitDir` is given.
 * Resolves with the exit code instead of rejecting on a non-zero exit (git's
 * yes/no plumbing answers by exit code); rejects only when git cannot run.
 * The one way the emulator starts git, so that every caller gets the same
 * isolated environment (no system config, no prompts), and every git
 * process is started by the small launcher process, not by this one.
 */
export function runGit(
  gitDir: string | undefined,
  args: string[],
  options: { input?: Buffer | string; env?: Record<string, string> } = {},
): Promise<GitRun> {
  return launcher
    .run(
      gitDir ? ['--git-dir', gitDir, ...args] : args,
      { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0', ...options.env },
      options.input,
    )
    .catch((error: Error) => {
      throw new Error(`git ${args[0]} failed: ${error.message}`);
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
