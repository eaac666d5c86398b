import { Link } from '@backstage/core-components';
import type { LubanEnvironmentState } from '@luban-backstage/plugin-luban-common';
import Typography from '@material-ui/core/Typography';

/**
 * The line under a Degraded environment's Argo CD status when a rollback pull
 * request is open into it: luban proposes one by itself when an environment
 * turns Degraded soon after a promotion (`luban.releases.rollbackProposalWindow`),
 * and never merges it. Nothing otherwise.
 */
export function RollbackProposal(props: {
  environment: LubanEnvironmentState;
}) {
  const { argoCd, pullRequest } = props.environment;
  if (argoCd?.healthStatus !== 'Degraded' || pullRequest?.kind !== 'rollback') {
    return null;
  }
  return (
    <Typography variant="body2" color="error" component="div">
      Degraded after promotion — rollback proposed:{' '}
      <Link
        to={pullRequest.url}
        aria-label={`Rollback pull request #${pullRequest.number}: ${pullRequest.title}`}
      >
        #{pullRequest.number}
      </Link>
    </Typography>
  );
}
