import { spawn, type ChildProcess } from 'node:child_process';

/** What a git command printed and how it exited. */
export interface GitRun {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** One git command for the launcher: its arguments, environment and stdin. */
interface LaunchRequest {
  id: number;
  args: string[];
  env: Record<string, string | undefined>;
  input?: Buffer | string;
}

type LaunchReply = { id: number; code: number; stdout: Uint8Array; stderr: Uint8Array } | { id: number; error: string };

/**
 * The launcher's own code, run with `node -e`: it starts each git process it
 * is asked for and sends back what git printed. It is plain JavaScript, so
 * that it runs the same from the TypeScript sources (tests, the dev server)
 * and from a build.
 */
const LAUNCHER_SOURCE = `
const { execFile } = require('node:child_process');
process.on('message', ({ id, args, env, input }) => {
  const child = execFile('git', args, { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024, env }, (error, stdout, stderr) => {
    if (error && typeof error.code !== 'number') {
      process.send({ id, error: String(stderr).trim() || error.message });
    } else {
      process.send({ id, code: error ? Number(error.code) : 0, stdout, stderr });
    }
  });
  child.stdin.on('error', () => undefined);
  child.stdin.end(input);
});
process.on('disconnect', () => process.exit(0));
`;

/**
 * Starts git processes from a small Node.js process of its own instead of
 * from this one. Starting a process costs time in proportion to the memory
 * of the process that starts it (fork copies its page tables): from a test
 * process holding a whole Backstage backend, one git process costs 40 to
 * 80 ms of the machine, from the launcher about 10. The emulator starts
 * thousands in a test run.
 */
export class GitLauncher {
  private child?: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (run: GitRun) => void; reject: (error: Error) => void }>();

  /** Runs git with these arguments; rejects with git's complaint only when git could not be run. */
  run(args: string[], env: Record<string, string | undefined>, input?: Buffer | string): Promise<GitRun> {
    const child = this.started();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Only while an answer is awaited does the launcher keep this process alive.
      child.channel?.ref();
      child.send({ id, args, env, input } satisfies LaunchRequest, error => {
        if (error) this.settle(id, { id, error: error.message });
      });
    });
  }

  private started(): ChildProcess {
    if (this.child?.connected) return this.child;
    // 'advanced' serialization carries stdout as bytes, not as JSON numbers.
    const child = spawn(process.execPath, ['-e', LAUNCHER_SOURCE], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
      env: process.env,
    });
    child.unref();
    child.channel?.unref();
    child.on('message', (reply: LaunchReply) => this.settle(reply.id, reply));
    // A launcher that dies fails what it was running; the next command starts another.
    child.on('exit', () => {
      if (this.child === child) this.child = undefined;
      for (const id of [...this.pending.keys()]) this.settle(id, { id, error: 'the git launcher exited' });
    });
    this.child = child;
    return child;
  }

  private settle(id: number, reply: LaunchReply) {
    const waiting = this.pending.get(id);
    if (!waiting) return;
    this.pending.delete(id);
    if (this.pending.size === 0) this.child?.channel?.unref();
    if ('error' in reply) {
      waiting.reject(new Error(reply.error));
    } else {
      waiting.resolve({ code: reply.code, stdout: Buffer.from(reply.stdout), stderr: Buffer.from(reply.stderr).toString('utf8').trim() });
    }
  }
}
