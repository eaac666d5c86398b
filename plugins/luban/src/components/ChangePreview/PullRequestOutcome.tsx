import { Link } from '@backstage/core-components';
import type { LubanChangeResult } from '@luban-backstage/plugin-luban-common';
import Alert from '@material-ui/lab/Alert';

/** Says which pull request carries the change, and whether it was already open. */
export function PullRequestOutcome(props: {
  pullRequest: NonNullable<LubanChangeResult['pullRequest']>;
}) {
  const { number, url, reused } = props.pullRequest;
  return (
    <Alert severity="success">
      <Link to={url}>Pull request #{number}</Link>{' '}
      {reused
        ? 'reused: it was already open for this change'
        : 'opened: the change is deployed once it is merged'}
    </Alert>
  );
}
