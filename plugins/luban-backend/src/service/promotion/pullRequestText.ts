import { shortDigest, type LubanDeployment, type LubanGateResult } from '@luban-backstage/plugin-luban-common';
import type { KpackBuild } from '@luban-backstage/plugin-luban-node';
import type { Actor } from '../types';

/** The title, description and commit message of a pull request luban opens. */
export interface PullRequestText {
  title: string;
  body: string;
  message: string;
}

/** A source commit built between two images, with its web page when known. */
export interface BuiltCommit {
  sha: string;
  url?: string;
}

/** What a promotion's pull request says. */
export interface PromotionTextInputs {
  app: string;
  from: string;
  to: string;
  /** The digest the target runs now, if any. */
  currentDigest?: string;
  digest: string;
  currentBuild?: KpackBuild;
  sourceBuild?: KpackBuild;
  commits?: BuiltCommit[];
  /** The web page comparing the two builds' source revisions, when they differ. */
  compareUrl?: string;
  gates: LubanGateResult[];
  overlayPath: string;
  actor: Actor;
}

const requester = (actor: Actor) => actor.userEntityRef ?? 'a service';

/** The source changes between what runs and what is promoted. */
function changesSection({ currentBuild: from, sourceBuild: to, commits, compareUrl }: PromotionTextInputs): string[] {
  const lines = ['### Changes', ''];
  if (compareUrl && from?.revision && to?.revision) {
    lines.push(`All source changes: [${from.revision.slice(0, 7)}…${to.revision.slice(0, 7)}](${compareUrl})`, '');
  }
  if (commits?.length) {
    lines.push('Commits built since:', '', ...commits.map(c => `- ${c.url ? `[${c.sha.slice(0, 7)}](${c.url})` : c.sha.slice(0, 7)}`), '');
  } else {
    lines.push('luban does not know the source commits between the two images.', '');
  }
  return lines;
}

/** The pull request of a promotion: what changes, the source commits and how each gate decided. */
export function promotionText(inputs: PromotionTextInputs): PullRequestText {
  const { app, from, to, currentDigest, digest, currentBuild, sourceBuild, gates, overlayPath, actor } = inputs;
  // An older build than the target runs: merged, it is a rollback, and says so where a reviewer looks first.
  const backwards = Boolean(currentBuild && sourceBuild && sourceBuild.number < currentBuild.number);
  const title = `${backwards ? 'Backwards: promote' : 'Promote'} ${app} to ${to} (${shortDigest(digest)})`;
  const body = [
    ...(backwards
      ? [
          `> **Warning:** this moves **${to}** backwards, from build #${currentBuild!.number} to the older build #${sourceBuild!.number}. Merge it only to roll ${to} back.`,
          '',
        ]
      : []),
    `luban promotes **${app}** from **${from}** to **${to}**.`,
    '',
    `- from \`${currentDigest ?? '(nothing deployed)'}\`${currentBuild ? ` (build #${currentBuild.number})` : ''}`,
    `- to \`${digest}\`${sourceBuild ? ` (build #${sourceBuild.number})` : ''}`,
    '',
    ...changesSection(inputs),
    '### Gates',
    '',
    ...gates.map(g => `- ${g.passed ? '✅' : '❌'} **${g.gate}**: ${g.reason}`),
    '',
    `Requested by ${requester(actor)} through Backstage. Only \`${overlayPath}\` changes.`,
  ].join('\n');
  return { title, body, message: `${title}\n\nRequested by ${requester(actor)}.` };
}

/** The pull request of a rollback to a version the environment ran before. */
export function rollbackText(inputs: {
  app: string;
  env: string;
  currentDigest?: string;
  version: LubanDeployment;
  /** Whether the version is older than what runs (a rollback to a version newer than the current one is not). */
  backwards: boolean;
  overlayPath: string;
  actor: Actor;
}): PullRequestText {
  const { app, env, currentDigest, version, overlayPath, actor } = inputs;
  const title = `Roll back ${app} in ${env} to ${shortDigest(version.digest)}`;
  const body = [
    ...(inputs.backwards
      ? [`> **Warning:** this moves **${env}** backwards, to a version it ran before. luban closes it when a newer change of ${env} is proposed.`, '']
      : []),
    `luban rolls **${app}** in **${env}** back.`,
    '',
    `- from \`${currentDigest ?? '(nothing deployed)'}\``,
    `- to \`${version.digest}\`${version.build ? ` (build #${version.build.number})` : ''}, which ${env} ran since ${version.date} ([${version.commitSha.slice(0, 7)}](${version.commitUrl}))`,
    '',
    'Rollbacks have no gates.',
    '',
    `Requested by ${requester(actor)} through Backstage. Only \`${overlayPath}\` changes.`,
  ].join('\n');
  return { title, body, message: `${title}\n\nRequested by ${requester(actor)}.` };
}
