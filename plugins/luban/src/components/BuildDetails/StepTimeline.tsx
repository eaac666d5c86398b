import type { LubanBuildStep } from '@luban-backstage/plugin-luban-common';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { formatDuration, StatusChip } from '../shared';

const useStyles = makeStyles(theme => ({
  timeline: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
    margin: 0,
    padding: 0,
    listStyle: 'none',
  },
  step: {
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(0.5),
    flex: '1 1 8rem',
    padding: theme.spacing(1, 1.5),
    border: `1px solid ${theme.palette.divider}`,
    borderRadius: theme.shape.borderRadius,
  },
  // One class per step state, named after it: a coloured top edge.
  succeeded: { borderTop: `4px solid ${theme.palette.success.main}` },
  failed: { borderTop: `4px solid ${theme.palette.error.main}` },
  running: { borderTop: `4px solid ${theme.palette.info.main}` },
  waiting: { borderTop: `4px solid ${theme.palette.divider}` },
  name: {
    fontWeight: theme.typography.fontWeightBold as number,
  },
}));

/**
 * What a step does, where its container's name does not say it to a
 * developer: kpack rebuilds for a new run image (reason STACK) with a
 * `rebase` container instead of the buildpack steps.
 */
const STEP_DESCRIPTIONS: Record<string, string> = {
  rebase: 'The app, unchanged, put on the new run image',
};

/**
 * The steps of a build in the order they run (prepare, analyze, detect,
 * restore, build, export, completion; a rebase build's rebase, completion),
 * each with its state and how long it took.
 */
export function StepTimeline(props: { steps: LubanBuildStep[] }) {
  const { steps } = props;
  const classes = useStyles();
  if (steps.length === 0) {
    return (
      <Typography variant="body2">
        The build has not started any step yet.
      </Typography>
    );
  }
  return (
    <ol className={classes.timeline} aria-label="Build steps">
      {steps.map(step => (
        <li
          key={step.name}
          className={`${classes.step} ${classes[step.state]}`}
          aria-current={step.state === 'running' ? 'step' : undefined}
        >
          <Typography component="span" className={classes.name}>
            {step.name}
          </Typography>
          {STEP_DESCRIPTIONS[step.name] && (
            <Typography
              component="span"
              variant="caption"
              color="textSecondary"
            >
              {STEP_DESCRIPTIONS[step.name]}
            </Typography>
          )}
          <StatusChip status={step.state} />
          {step.durationSeconds !== undefined && (
            <Typography component="span" variant="body2" color="textSecondary">
              {formatDuration(step.durationSeconds)}
            </Typography>
          )}
        </li>
      ))}
    </ol>
  );
}
