import type { LubanPullRequestReview } from '@luban-backstage/plugin-luban-common';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';

const useStyles = makeStyles(theme => ({
  // May wrap ("waiting for 1 / review"): the table fits 1,280 pixels only if this column can narrow.
  line: { display: 'block', whiteSpace: 'normal' },
  // Changes asked for are what a reader must act on: the theme's error colour, with the words saying it too.
  changes: { color: theme.palette.error.main },
}));

const plural = (count: number, word: string) =>
  `${count} ${word}${count === 1 ? '' : 's'}`;

/** What a pull request's reviews say, in a few words: who approved, who asked for changes, or how many are still needed. */
export function reviewSummary(review: LubanPullRequestReview): string {
  if (review.state === 'changes-requested')
    return `changes requested by ${review.changesRequestedBy.join(', ')}`;
  const missing = review.requiredApprovals - review.approvedBy.length;
  if (review.state === 'waiting') {
    const by = review.approvedBy.length
      ? ` (approved by ${review.approvedBy.join(', ')})`
      : '';
    return `waiting for ${plural(missing, 'review')}${by}`;
  }
  return review.approvedBy.length
    ? `approved by ${review.approvedBy.join(', ')}`
    : 'no review required';
}

const CHECK_WORDS: Record<
  NonNullable<LubanPullRequestReview['checks']>['state'],
  string
> = {
  success: 'passed',
  pending: 'running',
  failure: 'failed',
};

/**
 * The review state of an open promotion or rollback pull request under its
 * number: approved by whom, changes requested by whom, or how many reviews
 * it still waits for; and its checks, when the host reports any.
 */
export function PullRequestReview(props: { review?: LubanPullRequestReview }) {
  const { review } = props;
  const classes = useStyles();
  if (!review) return null;
  return (
    <>
      <Typography
        component="span"
        variant="body2"
        className={`${classes.line} ${
          review.state === 'changes-requested' ? classes.changes : ''
        }`}
      >
        {reviewSummary(review)}
      </Typography>
      {review.checks && (
        <Typography
          component="span"
          variant="body2"
          color="textSecondary"
          className={classes.line}
        >
          {plural(review.checks.total, 'check')}{' '}
          {CHECK_WORDS[review.checks.state]}
        </Typography>
      )}
    </>
  );
}
