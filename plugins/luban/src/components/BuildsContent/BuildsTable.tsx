import { Link } from '@backstage/core-components';
import type { LubanBuild } from '@luban-backstage/plugin-luban-common';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
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
