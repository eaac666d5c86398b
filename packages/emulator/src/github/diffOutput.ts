import type { DiffFile } from './gitObjects';

/**
 * The files of `git diff-tree -r -z -M --raw --numstat`, with their line
 * counts and the patches of {@link parsePatches}, in the terms of GitHub's `files[]`.
 */
export function parseDiffTree(
  raw: string,
  patches: Map<string, string>,
): DiffFile[] {
  // With -z, --raw records are ":<modes> <shas> <status>\0<path>\0[<path>\0]" and
  // --numstat records are "<add>\t<del>\t<path>\0" (or "\0<old>\0<new>\0" for renames).
  const tokens = raw.split('\u0000');
  const files: DiffFile[] = [];
  const counts = new Map<string, { additions: number; deletions: number }>();
  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i];
    if (token.startsWith(':')) {
      const [, , oldSha, newSha, status] = token.slice(1).split(' ');
      const letter = status[0];
      if (letter === 'R' || letter === 'C') {
        files.push({
          filename: tokens[i + 2],
          previousFilename: tokens[i + 1],
          status: 'renamed',
          additions: 0,
          deletions: 0,
          sha: newSha,
        });
        i += 3;
      } else {
        const statusName =
          ({ A: 'added', D: 'removed', M: 'modified', T: 'changed' } as const)[
            letter as 'A' | 'D' | 'M' | 'T'
          ] ?? 'modified';
        files.push({
          filename: tokens[i + 1],
          status: statusName,
          additions: 0,
          deletions: 0,
          sha: letter === 'D' ? oldSha : newSha,
        });
        i += 2;
      }
    } else if (/^(\d+|-)\t(\d+|-)\t/.test(token)) {
      const [additions, deletions, path] = token.split('\t');
      const parsed = {
        additions: Number(additions) || 0,
        deletions: Number(deletions) || 0,
      };
      if (path === '') {
        counts.set(tokens[i + 2], parsed);
        i += 3;
      } else {
        counts.set(path, parsed);
        i += 1;
      }
    } else {
      i += 1;
    }
  }
  for (const file of files) {
    Object.assign(file, counts.get(file.filename) ?? {});
    const patch = patches.get(file.filename);
    if (patch !== undefined) file.patch = patch;
  }
  return files;
}

/** Unified diff hunks per new path (old path for deletions) of `git diff -M` output. */
export function parsePatches(out: string): Map<string, string> {
  const patches = new Map<string, string>();
  for (const chunk of out.split(/^diff --git /m).slice(1)) {
    const lines = chunk.split('\n');
    const newPath = lines.find(line => line.startsWith('+++ '));
    const oldPath = lines.find(line => line.startsWith('--- '));
    const renameTo = lines.find(line => line.startsWith('rename to '));
    let path: string | undefined;
    if (renameTo) path = renameTo.slice('rename to '.length);
    else if (newPath && newPath !== '+++ /dev/null')
      path = newPath.slice('+++ b/'.length);
    else if (oldPath) path = oldPath.slice('--- a/'.length);
    const firstHunk = lines.findIndex(line => line.startsWith('@@'));
    if (!path || firstHunk < 0) continue;
    patches.set(path, lines.slice(firstHunk).join('\n').replace(/\n$/, ''));
  }
  return patches;
}
