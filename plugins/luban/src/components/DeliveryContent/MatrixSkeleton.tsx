import { makeStyles } from '@material-ui/core/styles';
import Skeleton from '@material-ui/lab/Skeleton';

const useStyles = makeStyles(theme => ({
  row: { marginTop: theme.spacing(1) },
}));

/** Stands in for the matrix while it loads; announced as a busy progress bar. */
export function MatrixSkeleton(props: { label: string; rows?: number }) {
  const { label, rows = 3 } = props;
  const classes = useStyles();
  return (
    <div role="progressbar" aria-label={label} aria-busy="true">
      <Skeleton variant="text" height={32} />
      {Array.from({ length: rows }, (_, index) => (
        <Skeleton
          key={index}
          className={classes.row}
          variant="rect"
          height={56}
        />
      ))}
    </div>
  );
}
