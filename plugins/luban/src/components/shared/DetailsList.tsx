import { makeStyles } from '@material-ui/core/styles';
import { Fragment, type ReactNode } from 'react';

const useStyles = makeStyles(theme => ({
  details: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: theme.spacing(3),
    rowGap: theme.spacing(1),
    margin: 0,
    '& dt': { fontWeight: theme.typography.fontWeightBold },
    '& dd': { margin: 0 },
  },
}));

/**
 * Terms and their descriptions in two aligned columns, as a description
 * list, so that each value is read with its term.
 */
export function DetailsList(props: {
  details: Array<[string, ReactNode]>;
  className?: string;
}) {
  const classes = useStyles();
  const className = props.className
    ? `${classes.details} ${props.className}`
    : classes.details;
  return (
    <dl className={className}>
      {props.details.map(([term, description]) => (
        <Fragment key={term}>
          <dt>{term}</dt>
          <dd>{description}</dd>
        </Fragment>
      ))}
    </dl>
  );
}
