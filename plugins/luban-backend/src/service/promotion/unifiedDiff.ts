const CONTEXT = 3;

type Line = { kind: ' ' | '-' | '+'; text: string; oldNo: number; newNo: number };

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The edit script between two line lists, from their longest common subsequence (overlays are small). */
function editScript(before: string[], after: string[]): Line[] {
  const n = before.length;
  const m = after.length;
  const common: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      common[i][j] = before[i] === after[j] ? common[i + 1][j + 1] + 1 : Math.max(common[i + 1][j], common[i][j + 1]);
    }
  }
  const script: Line[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && before[i] === after[j]) {
      script.push({ kind: ' ', text: before[i], oldNo: i + 1, newNo: j + 1 });
      i++;
      j++;
    } else if (i < n && (j >= m || common[i + 1][j] >= common[i][j + 1])) {
      // Removals before additions, as git shows a changed line.
      script.push({ kind: '-', text: before[i], oldNo: i + 1, newNo: j });
      i++;
    } else {
      script.push({ kind: '+', text: after[j], oldNo: i, newNo: j + 1 });
      j++;
    }
  }
  return script;
}

/**
 * A unified diff (`git diff` style, 3 lines of context) of one file;
 * empty when nothing changed. `before` undefined means a new file.
 */
export function unifiedDiff(path: string, before: string | undefined, after: string): string {
  if (before === after) return '';
  const script = editScript(splitLines(before ?? ''), splitLines(after));
  const changed = script.map((line, index) => (line.kind === ' ' ? -1 : index)).filter(index => index >= 0);
  const hunks: Array<[number, number]> = [];
  for (const index of changed) {
    const start = Math.max(0, index - CONTEXT);
    const end = Math.min(script.length - 1, index + CONTEXT);
    const last = hunks[hunks.length - 1];
    if (last && start <= last[1] + 1) last[1] = end;
    else hunks.push([start, end]);
  }
  const out = [`--- ${before === undefined ? '/dev/null' : `a/${path}`}`, `+++ b/${path}`];
  for (const [start, end] of hunks) {
    const lines = script.slice(start, end + 1);
    const oldCount = lines.filter(l => l.kind !== '+').length;
    const newCount = lines.filter(l => l.kind !== '-').length;
    const oldStart = oldCount ? lines.find(l => l.kind !== '+')!.oldNo : lines[0].oldNo;
    const newStart = newCount ? lines.find(l => l.kind !== '-')!.newNo : lines[0].newNo;
    out.push(`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@`);
    out.push(...lines.map(l => `${l.kind}${l.text}`));
  }
  return `${out.join('\n')}\n`;
}
