import { createHash } from 'node:crypto';
import type { LoggerService } from '@backstage/backend-plugin-api';
import type {
  GitProvider,
  RepoLocation,
} from '@luban-backstage/plugin-luban-node';
import {
  CHANGE_BRANCH_PREFIX,
  parseChangeBranch,
} from '../promotion/changeBranches';

/** The prefix of every release branch of a System into an environment. */
export function releaseBranchPrefix(system: string, to: string): string {
  return `${CHANGE_BRANCH_PREFIX}release/${system}/${to}/`;
}

/**
 * The branch of a release: one per System, target environment and set of
 * digests, so that identical releases — retried, concurrent, or on other
 * replicas — meet on one branch and one pull request, and a release of
 * newer digests is a pull request of its own whose description says what
 * it moves.
 */
export function releaseBranchName(
  system: string,
  to: string,
  moves: Array<{ app: string; digest: string }>,
): string {
  const fingerprint = createHash('sha256')
    .update(
      moves
        .map(m => `${m.app}@${m.digest}`)
        .sort()
        .join('\n'),
    )
    .digest('hex')
    .slice(0, 12);
  return `${releaseBranchPrefix(system, to)}${fingerprint}`;
}

/** The release pull request just proposed. */
export interface ProposedRelease {
  system: string;
  /** The System's name, as in its branches. */
  name: string;
  to: string;
  /** The apps it moves. */
  apps: string[];
  number: number;
  url: string;
}

/**
 * Closes the open pull requests a release supersedes: older releases of
 * the System into the environment, and older promotions and rollbacks of
 * the apps it moves there. Merged after the release, each would move an
 * app back. Only older ones (a lower number), as for single promotions
 * (see promotion/supersede.ts): two proposed at once leave the newest.
 */
export async function closeSupersededByRelease(
  provider: GitProvider,
  repo: RepoLocation,
  gitopsBranch: string,
  release: ProposedRelease,
  logger: LoggerService,
): Promise<number[]> {
  const open = await provider.listOpenPullRequests(repo, {
    headPrefix: CHANGE_BRANCH_PREFIX,
    base: gitopsBranch,
  });
  const older = open.filter(pull => {
    if (pull.number >= release.number) return false;
    if (pull.head.startsWith(releaseBranchPrefix(release.name, release.to)))
      return true;
    const change = parseChangeBranch(pull.head);
    return Boolean(
      change && change.env === release.to && release.apps.includes(change.app),
    );
  });
  const closed: number[] = [];
  for (const pull of older) {
    const description = [
      `Superseded by ${release.url} (the release of ${release.system} to ${release.to}). luban closed this one: merged after the release, it would undo it.`,
      '',
      '---',
      '',
      pull.body,
    ].join('\n');
    if (
      (await provider.closePullRequest(repo, pull.number, { description })) ===
      'closed'
    ) {
      closed.push(pull.number);
      logger.info('Superseded pull request closed', {
        system: release.system,
        env: release.to,
        closed: pull.webUrl,
        by: release.url,
      });
    }
  }
  return closed;
}
