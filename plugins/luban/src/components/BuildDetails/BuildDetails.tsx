import {
  type CompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { Link, Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { LubanBuild } from '@luban-backstage/plugin-luban-common';
import Grid from '@material-ui/core/Grid';
import { makeStyles } from '@material-ui/core/styles';
import { useState } from 'react';
import ArrowBackIcon from '@material-ui/icons/ArrowBack';
import useAsync from 'react-use/esm/useAsync';
import { lubanApiRef } from '../../api';
import { useLubanUpdates } from '../../hooks';
import { backendMessage } from '../shared';
import { ALL_STEPS, BuildLog } from './BuildLog';
import { BuildSummary } from './BuildSummary';

const BUILD_SIGNALS = ['build'] as const;

const useStyles = makeStyles(theme => ({
  back: {
    display: 'inline-flex',
    alignItems: 'center',
    gap: theme.spacing(0.5),
    marginBottom: theme.spacing(2),
  },
}));

/**
 * The step whose log to show when the user has not chosen one: all steps
 * (undefined) while the build runs, so that the log follows the whole build
 * in order rather than one step's lines at a time; the first failed step of
 * a failed build; else all steps.
 */
export function defaultLogStep(build: LubanBuild): string | undefined {
  if (build.status === 'running') {
    return undefined;
  }
  return build.steps.find(step => step.state === 'failed')?.name;
}

/** The step chosen, if the build has it; `ALL_STEPS` means undefined. */
function shownStep(build: LubanBuild, chosen?: string): string | undefined {
  if (chosen === ALL_STEPS) {
    return undefined;
  }
  if (chosen && build.steps.some(step => step.name === chosen)) {
    return chosen;
  }
  return defaultLogStep(build);
}

/**
 * One build: its summary, its steps and its log. Kept up to date by the
 * entity's build signals.
 *
 * @public
 */
export function BuildDetails(props: {
  entityRef: CompoundEntityRef;
  /** The Build object's name. */
  buildName: string;
  /** The step the user chose (or `all`); undefined picks a useful one. */
  step?: string;
  onStepChange: (step: string) => void;
  /** Where the "All builds" link goes. */
  backTo: string;
  /** Where the trace of the build's digest is; without it, the build links no trace. */
  traceLink?: (digest: string) => string;
}) {
  const { entityRef, buildName, step, onStepChange, backTo, traceLink } = props;
  const classes = useStyles();
  const lubanApi = useApi(lubanApiRef);
  const updates = useLubanUpdates(stringifyEntityRef(entityRef), BUILD_SIGNALS);
  // A followed log ends when its step is done: read the build again then too,
  // so that the view moves on even when a signal was lost (the signals
  // connection drops messages while it reconnects).
  const [followEnds, setFollowEnds] = useState(0);
  const { value: build, error } = useAsync(
    () => lubanApi.getBuild(entityRef, buildName),
    [lubanApi, entityRef, buildName, updates, followEnds],
  );

  let content: JSX.Element;
  if (error) {
    content = (
      <ResponseErrorPanel
        title={`Could not load the build ${buildName}: ${backendMessage(
          error,
        )}`}
        error={error}
      />
    );
  } else if (!build) {
    content = <Progress aria-label={`Loading the build ${buildName}`} />;
  } else {
    content = (
      <Grid container spacing={3}>
        <Grid item xs={12}>
          <BuildSummary
            build={build}
            traceLink={traceLink}
            entityRef={entityRef}
          />
        </Grid>
        <Grid item xs={12}>
          <BuildLog
            entityRef={entityRef}
            build={build}
            step={shownStep(build, step)}
            onStepChange={onStepChange}
            onFollowEnd={() => setFollowEnds(n => n + 1)}
          />
        </Grid>
      </Grid>
    );
  }

  return (
    <>
      <Link to={backTo} className={classes.back}>
        <ArrowBackIcon fontSize="inherit" />
        All builds
      </Link>
      {content}
    </>
  );
}
