import type { LoggerService } from '@backstage/backend-plugin-api';
import type { GitProvider, RepoLocation } from '@luban-backstage/plugin-luban-node';
import type { ChangeBranch } from './changeBranches';
import type { OpenChange } from './PromotionStateReader';

/** The pull request a change was just proposed in. */
export interface ProposedChange {
  number: number;
  url: string;
  branch: ChangeBranch;
}

/** The description a superseded pull request is closed with: the link first, what it proposed below. */
export function supersededDescription(newer: ProposedChange, previous: string): string {
  const kind = newer.branch.kind === 'rollback' ? 'a rollback' : 'a newer promotion';
  return [
    `Superseded by ${newer.url} (${kind} of ${newer.branch.app} in ${newer.branch.env}, to ${newer.branch.shortDigest}). luban closed this one: merged after the newer change, it would undo it.`,
    '',
    '---',
    '',
    previous,
  ].join('\n');
}

/**
 * Closes the open pull requests of the same app and environment that are
 * older (a lower number) than the one just proposed: one pull request per
 * app and environment. Only older ones: when two changes of an environment
 * are proposed at once — on one replica or two — both close the lower
 * number and leave the newest, instead of closing each other.
 */
export async function closeSuperseded(
  provider: GitProvider,
  repo: RepoLocation,
  open: OpenChange[],
  newer: ProposedChange,
  logger: LoggerService,
): Promise<number[]> {
  const older = open.filter(
    pull => pull.change.app === newer.branch.app && pull.change.env === newer.branch.env && pull.number < newer.number,
  );
  const closed: number[] = [];
  for (const pull of older) {
    const result = await provider.closePullRequest(repo, pull.number, { description: supersededDescription(newer, pull.body) });
    if (result === 'closed') {
      closed.push(pull.number);
      logger.info('Superseded pull request closed', { app: newer.branch.app, env: newer.branch.env, closed: pull.webUrl, by: newer.url });
    }
  }
  return closed;
}
