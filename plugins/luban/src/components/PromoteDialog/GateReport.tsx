import { Link } from '@backstage/core-components';
import type { LubanGateResult } from '@luban-backstage/plugin-luban-common';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemIcon from '@material-ui/core/ListItemIcon';
import ListItemText from '@material-ui/core/ListItemText';
import { makeStyles } from '@material-ui/core/styles';
import PassedIcon from '@material-ui/icons/CheckCircle';
import FailedIcon from '@material-ui/icons/Cancel';

const GATE_NAMES: Record<LubanGateResult['gate'], string> = {
  synced: 'Synced',
  healthy: 'Healthy',
  'build-succeeded': 'Build succeeded',
  vulnerabilities: 'Vulnerabilities',
  soak: 'Soak time',
};

/** What a gate's link opens. */
const GATE_LINK_TEXT: Partial<Record<LubanGateResult['gate'], string>> = {
  vulnerabilities: 'Scan in Harbor',
};

const useStyles = makeStyles(theme => ({
  passed: { color: theme.palette.success.main },
  failed: { color: theme.palette.error.main },
}));

function GateItem(props: { gate: LubanGateResult }) {
  const { gate } = props;
  const classes = useStyles();
  const verdict = gate.passed ? 'passed' : 'failed';
  return (
    <ListItem disableGutters>
      <ListItemIcon>
        {gate.passed ? (
          <PassedIcon className={classes.passed} aria-hidden />
        ) : (
          <FailedIcon className={classes.failed} aria-hidden />
        )}
      </ListItemIcon>
      {/* The verdict is a word as well as an icon and a colour. */}
      <ListItemText
        primary={`${GATE_NAMES[gate.gate] ?? gate.gate}: ${verdict}`}
        secondary={
          gate.url ? (
            <>
              {gate.reason}{' '}
              {/* Where the reason can be checked: Harbor's page of the scan. Underlined: inside a sentence, colour
                  alone does not tell a link (axe's link-in-text-block). */}
              <Link to={gate.url} underline="always">
                {GATE_LINK_TEXT[gate.gate] ?? 'Details'}
              </Link>
            </>
          ) : (
            gate.reason
          )
        }
      />
    </ListItem>
  );
}

/** Each gate of a promotion, whether it passed, and why. */
export function GateReport(props: { gates: LubanGateResult[] }) {
  const { gates } = props;
  return (
    <List dense aria-label="Gates">
      {gates.map(gate => (
        <GateItem key={gate.gate} gate={gate} />
      ))}
    </List>
  );
}
