import type { CompoundEntityRef } from '@backstage/catalog-model';
import { InfoCard } from '@backstage/core-components';
import type { LubanBuild } from '@luban-backstage/plugin-luban-common';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import type { ReactNode } from 'react';
import {
  BuildReasons,
  CommitLink,
  DetailsList,
  DigestWithCopy,
  cardHeadingProps,
  formatDuration,
  RelativeTime,
  StatusChip,
} from '../shared';
import { VulnerabilitySummary } from '../DeliveryContent/VulnerabilitySummary';
import { TraceLink } from '../TraceabilityPanel/TraceLink';
import { StepTimeline } from './StepTimeline';

const useStyles = makeStyles(theme => ({
  details: { margin: theme.spacing(0, 0, 3) },
  message: {
    marginBottom: theme.spacing(2),
  },
}));

function digestOf(
  build: LubanBuild,
  traceLink?: (digest: string) => string,
): ReactNode {
  if (build.digest) {
    return (
      <>
        <DigestWithCopy digest={build.digest} url={build.registryUrl} />
        {traceLink && (
          <>
            {' '}
            <TraceLink digest={build.digest} href={traceLink(build.digest)} />
          </>
        )}
      </>
    );
  }
  return build.status === 'running' ? 'Not built yet' : 'None';
}

/** Harbor's scan and SBOM of what the build produced; a build that produced nothing has none. */
function scanOf(build: LubanBuild, entityRef?: CompoundEntityRef): ReactNode {
  if (!build.digest)
    return build.status === 'running' ? 'Not built yet' : 'None';
  return (
    <VulnerabilitySummary
      vulnerabilities={build.vulnerabilities}
      all
      digest={build.digest}
      entityRef={entityRef}
    />
  );
}

function finishedOf(build: LubanBuild): ReactNode {
  if (build.finishedAt) {
    return <RelativeTime value={build.finishedAt} />;
  }
  return build.status === 'running' ? 'Still running' : 'Unknown';
}

/**
 * What a build is: its status, why it ran, what it built and from which
 * commit, when, and its steps.
 */
export function BuildSummary(props: {
  build: LubanBuild;
  /** Where the trace of a digest is; without it, no link. */
  traceLink?: (digest: string) => string;
  /** The build's entity, for the SBOM download; the page's entity when absent. */
  entityRef?: CompoundEntityRef;
}) {
  const { build, traceLink, entityRef } = props;
  const classes = useStyles();
  const details: Array<[string, ReactNode]> = [
    ['Status', <StatusChip status={build.status} />],
    ['Reasons', <BuildReasons reasons={build.reasons} />],
    [
      'Commit',
      build.revision ? (
        <CommitLink sha={build.revision} url={build.commitUrl} />
      ) : (
        'Unknown'
      ),
    ],
    ['Digest', digestOf(build, traceLink)],
    ['Vulnerabilities', scanOf(build, entityRef)],
    ['Builder', build.builder ?? 'Unknown'],
    [
      'Started',
      build.startedAt ? <RelativeTime value={build.startedAt} /> : 'Not yet',
    ],
    ['Finished', finishedOf(build)],
    [
      'Duration',
      build.durationSeconds === undefined
        ? 'Unknown'
        : formatDuration(build.durationSeconds),
    ],
  ];

  return (
    <InfoCard
      title={`Build #${build.number}`}
      subheader={build.name}
      titleTypographyProps={cardHeadingProps}
    >
      {build.status === 'failed' && build.message && (
        <Alert severity="error" className={classes.message}>
          {build.message}
        </Alert>
      )}
      <DetailsList details={details} className={classes.details} />
      <StepTimeline steps={build.steps} />
    </InfoCard>
  );
}
