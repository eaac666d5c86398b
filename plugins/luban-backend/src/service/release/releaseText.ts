import {
  shortDigest,
  type LubanReleaseMember,
} from '@luban-backstage/plugin-luban-common';
import type { PullRequestText } from '../promotion/pullRequestText';
import type { Actor } from '../types';

const requester = (actor: Actor) => actor.userEntityRef ?? 'a service';

/** A digest as a reviewer compares them: short, in code. */
const digestCell = (digest?: string) =>
  digest ? `\`${shortDigest(digest)}\`` : '(nothing deployed)';

/** One row of the gate report: every gate of the member, or why the release leaves it alone. */
function gateRow(member: LubanReleaseMember, from: string): string {
  if (!member.behind) {
    const why = member.problem ?? `already runs what ${from} runs`;
    return `| ${member.app} | ${digestCell(member.targetDigest)} | ${digestCell(
      member.targetDigest,
    )} | unchanged: ${why} |`;
  }
  const gates = member.gates
    .map(g => `${g.passed ? '✅' : '❌'} ${g.gate}`)
    .join(' ');
  return `| ${member.app} | ${digestCell(member.targetDigest)} | ${digestCell(
    member.sourceDigest,
  )} | ${gates} |`;
}

/**
 * The pull request of a release: what moves for each app, one row per app
 * in the gate report (the reasons of the gates below it), and which
 * overlays change.
 */
export function releaseText(inputs: {
  system: string;
  from: string;
  to: string;
  members: LubanReleaseMember[];
  actor: Actor;
}): PullRequestText {
  const { system, from, to, members, actor } = inputs;
  const moved = members.filter(m => m.behind);
  const title = `Release ${system} to ${to} (${moved.length} ${
    moved.length === 1 ? 'app' : 'apps'
  }: ${moved.map(m => m.app).join(', ')})`;
  const body = [
    `luban releases the apps of **${system}** from **${from}** to **${to}** in one change: each moves to the digest ${from} runs.`,
    '',
    '### Gates',
    '',
    `| App | ${to} runs | moves to | gates |`,
    '|---|---|---|---|',
    ...members.map(m => gateRow(m, from)),
    '',
    ...moved.flatMap(m => [
      `**${m.app}**:`,
      '',
      ...m.gates.map(
        g => `- ${g.passed ? '✅' : '❌'} **${g.gate}**: ${g.reason}`,
      ),
      '',
    ]),
    `Requested by ${requester(actor)} through Backstage. Only ${moved
      .map(m => `\`${m.overlayPath}\``)
      .join(', ')} change.`,
  ].join('\n');
  return {
    title,
    body,
    message: `${title}\n\nRequested by ${requester(actor)}.`,
  };
}
