import type { CompoundEntityRef } from '@backstage/catalog-model';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import type { LubanBuild } from '@luban-backstage/plugin-luban-common';
import Button from '@material-ui/core/Button';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import DownloadIcon from '@material-ui/icons/GetApp';
import { useId, useState } from 'react';
import { lubanApiRef } from '../../api';
import { backendMessage, statusLabel } from '../shared';
import { downloadBuildLog } from './downloadBuildLog';

/** The value of the step choice that shows every step's log. */
export const ALL_STEPS = 'all';

const useStyles = makeStyles(theme => ({
  toolbar: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(2),
  },
  search: {
    flex: '1 1 16rem',
  },
}));

/** Downloads the whole log of the step shown; a failure is posted as an alert. */
function DownloadButton(props: {
  entityRef: CompoundEntityRef;
  build: string;
  step: string | undefined;
}) {
  const { entityRef, build, step } = props;
  const lubanApi = useApi(lubanApiRef);
  const alertApi = useApi(alertApiRef);
  const [downloading, setDownloading] = useState(false);

  const download = async () => {
    setDownloading(true);
    try {
      await downloadBuildLog(lubanApi, entityRef, build, step);
    } catch (error) {
      alertApi.post({
        message: `Could not download the log: ${backendMessage(
          error as Error,
        )}`,
        severity: 'error',
      });
    } finally {
      setDownloading(false);
    }
  };

  return (
    <Button
      variant="outlined"
      startIcon={<DownloadIcon />}
      onClick={download}
      disabled={downloading}
    >
      Download
    </Button>
  );
}

/** Above the log: which step, what to search for, how many lines match, Download. */
export function LogToolbar(props: {
  entityRef: CompoundEntityRef;
  build: LubanBuild;
  step: string | undefined;
  onStepChange: (step: string) => void;
  query: string;
  onQueryChange: (query: string) => void;
  /** How many lines match the query, of how many. */
  matches: { shown: number; total: number };
}) {
  const { entityRef, build, step, onStepChange, query, onQueryChange } = props;
  const classes = useStyles();
  const stepFieldId = useId();
  const searchFieldId = useId();

  return (
    <div className={classes.toolbar}>
      <TextField
        id={stepFieldId}
        select
        label="Step"
        value={step ?? ALL_STEPS}
        onChange={event => onStepChange(event.target.value)}
        SelectProps={{ native: true }}
        variant="outlined"
        size="small"
      >
        <option value={ALL_STEPS}>All steps</option>
        {build.steps.map(s => (
          <option key={s.name} value={s.name}>
            {s.name} ({statusLabel(s.state)})
          </option>
        ))}
      </TextField>
      <TextField
        id={searchFieldId}
        className={classes.search}
        type="search"
        label="Search the log"
        value={query}
        onChange={event => onQueryChange(event.target.value)}
        variant="outlined"
        size="small"
      />
      {query && (
        <Typography variant="body2" role="status">
          {props.matches.shown} of {props.matches.total} lines match
        </Typography>
      )}
      <DownloadButton entityRef={entityRef} build={build.name} step={step} />
    </div>
  );
}
