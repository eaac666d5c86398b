import type { CompoundEntityRef } from '@backstage/catalog-model';
import { InfoCard, Link } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  type LubanBuild,
  type LubanEnvironmentState,
  type LubanPromotionState,
  shortDigest,
} from '@luban-backstage/plugin-luban-common';
import IconButton from '@material-ui/core/IconButton';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import CloseIcon from '@material-ui/icons/Close';
import Alert from '@material-ui/lab/Alert';
import { type ReactNode, useEffect, useId, useRef } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { lubanApiRef } from '../../api';
import { VulnerabilitySummary } from '../DeliveryContent/VulnerabilitySummary';
import {
  CommitLink,
  DigestWithCopy,
  RelativeTime,
  StatusChip,
  backendMessage,
  buildTabPath,
  cardHeadingProps,
  digestLabel,
  useEntityTabLink,
} from '../shared';

const useStyles = makeStyles(theme => ({
  panel: { outline: 'none' },
  chain: { listStyle: 'none', margin: 0, padding: 0 },
  step: {
    position: 'relative',
    paddingLeft: theme.spacing(3),
    paddingBottom: theme.spacing(2),
    borderLeft: `2px solid ${theme.palette.divider}`,
    marginLeft: theme.spacing(1),
    '&:last-child': { borderLeftColor: 'transparent' },
    '&::before': {
      content: '""',
      position: 'absolute',
      left: -7,
      top: 4,
      width: 12,
      height: 12,
      borderRadius: '50%',
      backgroundColor: theme.palette.primary.main,
    },
  },
  detail: { display: 'block' },
  list: { margin: 0, paddingLeft: theme.spacing(2) },
}));

// Titles are h3 under the panel's h2, so the chain can be walked by heading.
function TraceStep(props: { title: string; children: ReactNode }) {
  const classes = useStyles();
  return (
    <li className={classes.step}>
      <Typography component="h3" variant="subtitle2">
        {props.title}
      </Typography>
      {props.children}
    </li>
  );
}

function Absent(props: { children: ReactNode }) {
  return (
    <Typography variant="body2" color="textSecondary">
      {props.children}
    </Typography>
  );
}

/**
 * The pull requests that move `digest`. The promotion state does not say
 * which digest a pull request carries, but luban names it in every title it
 * writes ("Promote ledger-api to prd (abcdef123456)"), as 12 hex digits.
 */
function pullRequestsOf(
  digest: string,
  environments: LubanEnvironmentState[],
): Array<{ environment: string; number: number; url: string; title: string }> {
  const hex = shortDigest(digest);
  return environments.flatMap(environment =>
    environment.pullRequest?.title.includes(hex)
      ? [{ environment: environment.name, ...environment.pullRequest }]
      : [],
  );
}

function BuildStep(props: {
  build?: LubanBuild;
  summary?: LubanEnvironmentState['build'];
  loading: boolean;
  error?: Error;
}) {
  const { build, summary, loading, error } = props;
  const classes = useStyles();
  const tabLink = useEntityTabLink();
  const known = build ?? summary;
  let detail: ReactNode = null;
  if (known) {
    detail = (
      <>
        <Link to={tabLink(buildTabPath(known.name))}>
          Build #{known.number}
        </Link>{' '}
        {build && <StatusChip status={build.status} />}
        {known.finishedAt && (
          <Typography variant="body2" className={classes.detail}>
            Finished <RelativeTime value={known.finishedAt} />
          </Typography>
        )}
      </>
    );
  } else if (loading) {
    detail = <Absent>Reading the builds…</Absent>;
  } else if (!error) {
    detail = <Absent>No kpack build of this app produced this digest.</Absent>;
  }
  return (
    <TraceStep title="Build">
      {detail}
      {error && (
        <Alert severity="warning">
          The builds could not be read: {backendMessage(error)}
        </Alert>
      )}
    </TraceStep>
  );
}

function PullRequestsStep(props: {
  pullRequests: ReturnType<typeof pullRequestsOf>;
}) {
  const { pullRequests } = props;
  const classes = useStyles();
  return (
    <TraceStep title="Pull requests">
      {pullRequests.length === 0 ? (
        <Absent>No open pull request moves it.</Absent>
      ) : (
        <ul className={classes.list}>
          {pullRequests.map(pullRequest => (
            <li key={pullRequest.url}>
              <Link to={pullRequest.url}>#{pullRequest.number}</Link> into{' '}
              {pullRequest.environment}: {pullRequest.title}
            </li>
          ))}
        </ul>
      )}
    </TraceStep>
  );
}

function EnvironmentsStep(props: { running: LubanEnvironmentState[] }) {
  const { running } = props;
  const classes = useStyles();
  return (
    <TraceStep title="Environments">
      {running.length === 0 ? (
        <Absent>No environment runs it.</Absent>
      ) : (
        <ul className={classes.list} aria-label="Environments running it">
          {running.map(env => (
            <li key={env.name}>
              {env.name}
              {env.deployedAt && (
                <>
                  , deployed <RelativeTime value={env.deployedAt} />
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </TraceStep>
  );
}

/**
 * What is known of one digest: the build that produced it (from the builds,
 * else from the matrix), the environments running it and the pull requests
 * moving it.
 */
function useTrace(
  entityRef: CompoundEntityRef,
  digest: string,
  state: LubanPromotionState,
) {
  const lubanApi = useApi(lubanApiRef);
  const builds = useAsync(
    () => lubanApi.listBuilds(entityRef),
    [lubanApi, entityRef],
  );
  const build = builds.value?.builds.find(
    candidate => candidate.digest === digest,
  );
  const running = state.environments.filter(env => env.digest === digest);
  const summary = running.find(env => env.build)?.build;
  return {
    builds,
    build,
    summary,
    running,
    vulnerabilities: running.find(env => env.vulnerabilities)?.vulnerabilities,
    revision: build?.revision ?? summary?.revision,
    pullRequests: pullRequestsOf(digest, state.environments),
  };
}

/**
 * Props of {@link TraceabilityPanel}.
 * @public
 */
export interface TraceabilityPanelProps {
  /** The entity whose app is traced; keep the object stable between renders. */
  entityRef: CompoundEntityRef;
  /** The image digest to trace. */
  digest: string;
  /** What runs where, as the delivery matrix read it. */
  state: LubanPromotionState;
  onClose?: () => void;
}

/**
 * Where one image digest comes from and where it went: commit → build →
 * digest → vulnerabilities → pull requests → the environments running it.
 * Takes focus when it opens, so keyboard users land on it.
 *
 * @public
 */
export function TraceabilityPanel(props: TraceabilityPanelProps) {
  const { entityRef, digest, state, onClose } = props;
  const classes = useStyles();
  const headingId = useId();
  const panel = useRef<HTMLElement>(null);
  const trace = useTrace(entityRef, digest, state);
  const { build, summary, running } = trace;
  const image = build?.image ?? running[0]?.image;

  useEffect(() => {
    panel.current?.focus();
  }, [digest]);

  return (
    <section
      ref={panel}
      tabIndex={-1}
      aria-labelledby={headingId}
      className={classes.panel}
    >
      <InfoCard
        title={<span id={headingId}>Trace of {digestLabel(digest)}</span>}
        titleTypographyProps={cardHeadingProps}
        action={
          onClose && (
            <IconButton aria-label="Close the trace" onClick={onClose}>
              <CloseIcon />
            </IconButton>
          )
        }
      >
        <ol className={classes.chain}>
          <TraceStep title="Commit">
            {trace.revision ? (
              <CommitLink
                sha={trace.revision}
                url={build?.commitUrl ?? summary?.commitUrl}
              />
            ) : (
              <Absent>Unknown: luban knows no build of this digest.</Absent>
            )}
          </TraceStep>
          <BuildStep
            build={build}
            summary={summary}
            loading={trace.builds.loading}
            error={trace.builds.error}
          />
          <TraceStep title="Image">
            <DigestWithCopy digest={digest} url={build?.registryUrl} />
            {image && <code className={classes.detail}>{image}</code>}
          </TraceStep>
          <TraceStep title="Vulnerabilities">
            <VulnerabilitySummary vulnerabilities={trace.vulnerabilities} all />
          </TraceStep>
          <PullRequestsStep pullRequests={trace.pullRequests} />
          <EnvironmentsStep running={running} />
        </ol>
      </InfoCard>
    </section>
  );
}
