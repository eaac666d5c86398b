import { Link } from '@backstage/core-components';
import type { LubanBuild } from '@luban-backstage/plugin-luban-common';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Chip from '@material-ui/core/Chip';
import Tooltip from '@material-ui/core/Tooltip';
import type { ReactNode } from 'react';
import {
  BuildReasons,
  CommitLink,
  DigestWithCopy,
  formatDuration,
  RelativeTime,
  StatusChip,
} from '../shared';

const COLUMNS = [
  'Build',
  'Status',
  'Reasons',
  'Commit',
  'Started',
  'Duration',
  'Digest',
];

/** The mark of a release candidate: a build of a pushed version tag, its image also tagged so. */
function ReleaseChip(props: { tag: string }) {
  return (
    <Tooltip
      title={`A release candidate: built for the git tag of version ${props.tag}, and tagged ${props.tag} in the registry`}
    >
      <Chip label={`release ${props.tag}`} size="small" color="primary" />
    </Tooltip>
  );
}

/** The builds of a kpack Image, newest first; each links to its details. */
export function BuildsTable(props: {
  image: string;
  builds: LubanBuild[];
  /** The link to a build's details. */
  detailsHref: (build: string) => string;
  /** What a user may do with a build (Cancel, while it runs), beside its status. */
  actionsFor?: (build: LubanBuild) => ReactNode;
}) {
  const { image, builds, detailsHref, actionsFor } = props;
  return (
    <Table size="small" aria-label={`Builds of the kpack Image ${image}`}>
      <TableHead>
        <TableRow>
          {COLUMNS.map(column => (
            <TableCell key={column}>{column}</TableCell>
          ))}
        </TableRow>
      </TableHead>
      <TableBody>
        {builds.map(build => {
          const actions = actionsFor?.(build);
          return (
            <TableRow key={build.name} hover>
              {/* MUI gives an explicit `component` the role "cell"; restore
                the row header, so that each cell is read with its build. */}
              <TableCell component="th" scope="row" role="rowheader">
                <Link
                  to={detailsHref(build.name)}
                  aria-label={`Build #${build.number}`}
                >
                  #{build.number}
                </Link>
              </TableCell>
              <TableCell>
                <StatusChip status={build.status} />
                {actions && <> {actions}</>}
              </TableCell>
              <TableCell>
                <BuildReasons reasons={build.reasons} />
                {build.releaseTag && <ReleaseChip tag={build.releaseTag} />}
              </TableCell>
              <TableCell>
                {build.revision && (
                  <CommitLink sha={build.revision} url={build.commitUrl} />
                )}
              </TableCell>
              <TableCell>
                {build.startedAt && <RelativeTime value={build.startedAt} />}
              </TableCell>
              <TableCell>
                {build.durationSeconds !== undefined &&
                  formatDuration(build.durationSeconds)}
              </TableCell>
              <TableCell>
                {build.digest && (
                  <DigestWithCopy
                    digest={build.digest}
                    url={build.registryUrl}
                  />
                )}
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
