import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { DigestWithCopy } from '../shared';

const useStyles = makeStyles(theme => ({
  change: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: theme.spacing(2),
    rowGap: theme.spacing(0.5),
    alignItems: 'center',
    margin: 0,
    '& dd': { margin: 0 },
  },
}));

/** The digest an environment runs now and the one the change puts there. */
export function DigestChange(props: {
  environment: string;
  fromDigest?: string;
  toDigest: string;
}) {
  const { environment, fromDigest, toDigest } = props;
  const classes = useStyles();
  return (
    <dl className={classes.change}>
      <Typography component="dt" variant="body2">
        {environment} runs now
      </Typography>
      <dd>
        {fromDigest ? (
          <DigestWithCopy digest={fromDigest} />
        ) : (
          <Typography variant="body2">nothing luban can name</Typography>
        )}
      </dd>
      <Typography component="dt" variant="body2">
        {environment} will run
      </Typography>
      <dd>
        <DigestWithCopy digest={toDigest} />
      </dd>
    </dl>
  );
}
