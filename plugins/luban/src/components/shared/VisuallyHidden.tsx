import { makeStyles } from '@material-ui/core/styles';
import type { ReactNode } from 'react';

const useStyles = makeStyles({
  visuallyHidden: {
    position: 'absolute',
    width: 1,
    height: 1,
    overflow: 'hidden',
    clip: 'rect(0 0 0 0)',
    whiteSpace: 'nowrap',
  },
});

/** Text read by screen readers but not shown. */
export function VisuallyHidden(props: { id?: string; children: ReactNode }) {
  const classes = useStyles();
  return (
    <span id={props.id} className={classes.visuallyHidden}>
      {props.children}
    </span>
  );
}
