import type { LubanDeployment } from '@luban-backstage/plugin-luban-common';
import Chip from '@material-ui/core/Chip';
import Radio from '@material-ui/core/Radio';
import RadioGroup from '@material-ui/core/RadioGroup';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  CommitLink,
  DigestWithCopy,
  RelativeTime,
  VisuallyHidden,
  digestLabel,
} from '../shared';

const useStyles = makeStyles(theme => ({
  current: { marginLeft: theme.spacing(1) },
  // Short words keep whole: the dialog squeezed "Build" into "Buil/d".
  nowrap: { whiteSpace: 'nowrap' },
}));

function radioLabel(version: LubanDeployment, environment: string): string {
  const build = version.build ? ` (build #${version.build.number})` : '';
  const digest = digestLabel(version.digest);
  if (version.current) {
    return `${environment} runs ${digest}${build} now`;
  }
  return `Restore ${digest}${build}`;
}

function VersionRow(props: {
  version: LubanDeployment;
  environment: string;
  disabled: boolean;
}) {
  const { version, environment, disabled } = props;
  const classes = useStyles();
  return (
    <TableRow>
      <TableCell padding="checkbox">
        <Radio
          value={version.digest}
          disabled={disabled || version.current}
          inputProps={{ 'aria-label': radioLabel(version, environment) }}
        />
      </TableCell>
      <TableCell>
        <DigestWithCopy digest={version.digest} />
        {version.current && (
          <Chip className={classes.current} size="small" label="running now" />
        )}
      </TableCell>
      <TableCell className={classes.nowrap}>
        {version.build ? `#${version.build.number}` : '—'}
      </TableCell>
      <TableCell>
        <RelativeTime value={version.date} />
      </TableCell>
      <TableCell>
        <CommitLink sha={version.commitSha} url={version.commitUrl} />{' '}
        <Typography component="span" variant="body2">
          {[version.author, version.message].filter(Boolean).join(': ')}
        </Typography>
      </TableCell>
    </TableRow>
  );
}

/**
 * An environment's versions, newest first, one of which is chosen to be
 * restored. The current one is shown for orientation but cannot be chosen.
 */
export function VersionTable(props: {
  environment: string;
  versions: LubanDeployment[];
  selected?: string;
  onSelect: (digest: string) => void;
  disabled: boolean;
}) {
  const { environment, versions, selected, onSelect, disabled } = props;
  const classes = useStyles();
  return (
    <RadioGroup
      aria-label={`Version of ${environment} to restore`}
      name={`rollback-${environment}`}
      value={selected ?? ''}
      onChange={event => onSelect(event.target.value)}
    >
      <Table
        size="small"
        aria-label={`Versions of ${environment}, newest first`}
      >
        <TableHead>
          <TableRow className={classes.nowrap}>
            <TableCell padding="checkbox">
              {/* The column of radio buttons needs a name. */}
              <VisuallyHidden>Restore</VisuallyHidden>
            </TableCell>
            <TableCell>Digest</TableCell>
            <TableCell>Build</TableCell>
            <TableCell>Deployed</TableCell>
            <TableCell>GitOps commit</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {versions.map(version => (
            <VersionRow
              key={`${version.commitSha}-${version.digest}`}
              version={version}
              environment={environment}
              disabled={disabled}
            />
          ))}
        </TableBody>
      </Table>
    </RadioGroup>
  );
}
