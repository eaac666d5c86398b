import { runGit, runGitOk } from '../git/GitRepositories';

/**
 * Git plumbing the shared `GitRepositories` does not offer and the Azure
 * DevOps API needs: recursive tree listings (items with `recursionLevel`),
 * the commits a push introduced, trial merges (pull request merge status),
 * squash commits and repository size. Refs are still only moved through
 * `GitRepositories`, so every ref update reaches its listeners.
 */

/** One entry of a tree listing, with its path from the repository root (no leading slash). */
export interface TreeEntry {
  path: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
  size?: number;
}

/** Runs git in a bare repository; the exit code decides, stdout as text. */
async function run(
  gitDir: string,
  args: string[],
  options: { input?: string; env?: Record<string, string> } = {},
) {
  const result = await runGit(gitDir, args, options);
  return { code: result.code, stdout: result.stdout.toString('utf8') };
}

async function runOk(
  gitDir: string,
  args: string[],
  options: { input?: string; env?: Record<string, string> } = {},
) {
  return (await runGitOk(gitDir, args, options)).toString('utf8');
}

/**
 * The entries under a folder at a commit: its children, or (recursive) all
 * descendants, folders included, in git's depth-first order.
 */
export async function listTree(
  gitDir: string,
  commit: string,
  folder: string,
  recursive: boolean,
): Promise<TreeEntry[]> {
  const prefix = folder.replace(/^\/+|\/+$/g, '');
  const treeish = prefix ? `${commit}:${prefix}` : commit;
  const out = await runOk(gitDir, [
    'ls-tree',
    '-l',
    ...(recursive ? ['-r', '-t'] : []),
    treeish,
  ]);
  return out
    .split('\n')
    .filter(Boolean)
    .map(line => {
      const tab = line.indexOf('\t');
      const [, type, sha, size] = line.slice(0, tab).split(/\s+/);
      const name = line.slice(tab + 1);
      return {
        path: prefix ? `${prefix}/${name}` : name,
        type: type as TreeEntry['type'],
        sha,
        size: size === '-' ? undefined : Number(size),
      };
    });
}

/** Commits reachable from `head` but from none of `exclude`, newest first. */
export async function newCommits(
  gitDir: string,
  head: string,
  exclude: string[],
  limit = 100,
): Promise<string[]> {
  const args = [
    'rev-list',
    `--max-count=${limit}`,
    head,
    ...(exclude.length ? ['--not', ...exclude] : []),
  ];
  return (await runOk(gitDir, args)).split('\n').filter(Boolean);
}

/** The tree a merge of `head` into `base` would produce, or undefined when it conflicts. */
export async function trialMerge(
  gitDir: string,
  base: string,
  head: string,
): Promise<string | undefined> {
  const result = await run(gitDir, ['merge-tree', '--write-tree', base, head]);
  if (result.code !== 0) return undefined;
  return result.stdout.split('\n')[0].trim();
}

/** Writes a commit object (no ref moves). */
export async function writeCommit(
  gitDir: string,
  options: {
    tree: string;
    parents: string[];
    message: string;
    author: { name: string; email: string };
  },
): Promise<string> {
  const { name, email } = options.author;
  const out = await runOk(
    gitDir,
    [
      'commit-tree',
      options.tree,
      ...options.parents.flatMap(p => ['-p', p]),
      '-F',
      '-',
    ],
    {
      input: options.message,
      env: {
        GIT_AUTHOR_NAME: name,
        GIT_AUTHOR_EMAIL: email,
        GIT_COMMITTER_NAME: name,
        GIT_COMMITTER_EMAIL: email,
      },
    },
  );
  return out.trim();
}

/** Whether an object exists and is a commit. */
export async function isCommit(gitDir: string, sha: string): Promise<boolean> {
  const result = await run(gitDir, ['cat-file', '-t', sha]);
  return result.code === 0 && result.stdout.trim() === 'commit';
}

/** The repository's size in bytes (loose objects and packs), as `GitRepository.size` reports. */
export async function repositorySize(gitDir: string): Promise<number> {
  const out = await runOk(gitDir, ['count-objects', '-v']);
  const value = (key: string) =>
    Number(new RegExp(`^${key}: (\\d+)$`, 'm').exec(out)?.[1] ?? 0);
  return (value('size') + value('size-pack')) * 1024;
}

/** A value of the repository's git config, or undefined. */
export async function readConfig(
  gitDir: string,
  key: string,
): Promise<string | undefined> {
  const result = await run(gitDir, ['config', '--get', key]);
  return result.code === 0 ? result.stdout.trim() : undefined;
}

/** Sets a value in the repository's git config. */
export async function writeConfig(
  gitDir: string,
  key: string,
  value: string,
): Promise<void> {
  await runOk(gitDir, ['config', key, value]);
}
