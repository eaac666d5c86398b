import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { type ReactNode, useId } from 'react';

const useStyles = makeStyles(theme => ({
  section: { marginTop: theme.spacing(2) },
}));

/**
 * One titled part of a change preview. Its heading is an h3 under the
 * dialog's h2 title, so screen-reader users can jump between the parts.
 */
export function PreviewSection(props: { title: string; children: ReactNode }) {
  const { title, children } = props;
  const classes = useStyles();
  const headingId = useId();
  return (
    <section className={classes.section} aria-labelledby={headingId}>
      <Typography id={headingId} component="h3" variant="subtitle1">
        {title}
      </Typography>
      {children}
    </section>
  );
}
