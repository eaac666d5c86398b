import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';

const useStyles = makeStyles(theme => ({
  figure: { margin: 0 },
  diff: {
    margin: theme.spacing(1, 0, 0),
    padding: theme.spacing(1.5),
    overflowX: 'auto',
    fontFamily: 'monospace',
    fontSize: theme.typography.body2.fontSize,
    backgroundColor: theme.palette.background.default,
    color: theme.palette.text.primary,
    border: `1px solid ${theme.palette.divider}`,
    borderRadius: theme.shape.borderRadius,
  },
  line: { display: 'block', whiteSpace: 'pre' },
  added: { color: theme.palette.success.main },
  removed: { color: theme.palette.error.main },
  hunk: { color: theme.palette.info.main },
  header: { color: theme.palette.text.secondary },
}));

type LineKind = 'added' | 'removed' | 'hunk' | 'header' | 'context';

function kindOf(line: string): LineKind {
  // File headers start with +++/--- and are not changes.
  if (line.startsWith('+++') || line.startsWith('---')) return 'header';
  if (line.startsWith('+')) return 'added';
  if (line.startsWith('-')) return 'removed';
  if (line.startsWith('@@')) return 'hunk';
  return 'context';
}

/**
 * The unified diff of an overlay change. The +/- of each line stays visible,
 * so the colours are not the only way to tell additions from removals.
 */
export function OverlayDiff(props: { overlayPath: string; diff: string }) {
  const { overlayPath, diff } = props;
  const classes = useStyles();
  const lines = diff.replace(/\n$/, '').split('\n');

  return (
    <figure className={classes.figure}>
      <Typography component="figcaption" variant="body2">
        The change to <code>{overlayPath}</code>
      </Typography>
      <pre className={classes.diff}>
        {lines.map((line, index) => {
          const kind = kindOf(line);
          const className =
            kind === 'context'
              ? classes.line
              : `${classes.line} ${classes[kind]}`;
          return (
            // Lines of a diff have no identity beyond their position.
            // eslint-disable-next-line react/no-array-index-key
            <span key={index} className={className}>
              {line}
            </span>
          );
        })}
      </pre>
    </figure>
  );
}
