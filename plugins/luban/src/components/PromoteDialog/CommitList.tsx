import type { LubanChangeResult } from '@luban-backstage/plugin-luban-common';
import Typography from '@material-ui/core/Typography';
import { CommitLink } from '../shared';

/** The source commits a promotion brings, when luban knows them. */
export function CommitList(props: {
  commits: LubanChangeResult['commits'];
  environment: string;
}) {
  const { commits, environment } = props;
  if (!commits) {
    return (
      <Typography variant="body2" color="textSecondary">
        luban does not know the source commits between the two images.
      </Typography>
    );
  }
  if (commits.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No source commit was built since what {environment} runs.
      </Typography>
    );
  }
  return (
    <ul aria-label={`Commits built since what ${environment} runs`}>
      {commits.map(commit => (
        <li key={commit.sha}>
          <CommitLink sha={commit.sha} url={commit.url} />
        </li>
      ))}
    </ul>
  );
}
