import { getCompoundEntityRef, type Entity } from '@backstage/catalog-model';
import {
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  LUBAN_PREVIEWS_ANNOTATION,
  type LubanPreview,
} from '@luban-backstage/plugin-luban-common';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { useMemo } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { lubanApiRef } from '../../api';
import { ArgoCdStatus } from '../DeliveryContent/ArgoCdStatus';
import {
  DigestWithCopy,
  RelativeTime,
  backendMessage,
  cardHeadingProps,
} from '../shared';

/** Whether the entity opted in to pull-request previews. */
export function previewsEnabled(entity: Entity): boolean {
  return entity.metadata.annotations?.[LUBAN_PREVIEWS_ANNOTATION] === 'enabled';
}

function PreviewRow(props: { preview: LubanPreview }) {
  const { preview } = props;
  const { number, url } = preview.pullRequest;
  return (
    <TableRow>
      <TableCell component="th" scope="row">
        {url ? (
          <Link to={url} aria-label={`Pull request ${number}`}>
            #{number}
          </Link>
        ) : (
          `#${number}`
        )}
      </TableCell>
      <TableCell>
        {preview.address ? (
          <Link to={preview.address}>
            {preview.address.replace(/^https:\/\//, '').replace(/\/$/, '')}
          </Link>
        ) : (
          '—'
        )}
      </TableCell>
      <TableCell>
        {preview.digest ? <DigestWithCopy digest={preview.digest} /> : '—'}
      </TableCell>
      <TableCell>
        <ArgoCdStatus
          argoCd={{
            application: preview.application,
            syncStatus: preview.sync ?? 'Unknown',
            healthStatus: preview.health ?? 'Unknown',
          }}
        />
      </TableCell>
      <TableCell>
        {preview.createdAt ? <RelativeTime value={preview.createdAt} /> : '—'}
      </TableCell>
    </TableRow>
  );
}

function PreviewsTable(props: { entity: Entity }) {
  const { entity } = props;
  const lubanApi = useApi(lubanApiRef);
  const entityRef = useMemo(() => getCompoundEntityRef(entity), [entity]);
  const read = useAsync(
    () => lubanApi.getPreviews(entityRef),
    [lubanApi, entityRef],
  );
  if (read.loading) return <Progress />;
  if (read.error) {
    return (
      <ResponseErrorPanel
        title={`Could not load the previews: ${backendMessage(read.error)}`}
        error={read.error}
      />
    );
  }
  const previews = read.value?.previews ?? [];
  if (previews.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No open pull request has a preview.
      </Typography>
    );
  }
  const name = entity.metadata.title ?? entity.metadata.name;
  return (
    <Table size="small" aria-label={`Pull-request previews of ${name}`}>
      <TableHead>
        <TableRow>
          <TableCell>Pull request</TableCell>
          <TableCell>Address</TableCell>
          <TableCell>Image</TableCell>
          <TableCell>Argo CD</TableCell>
          <TableCell>Created</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {previews.map(preview => (
          <PreviewRow key={preview.pullRequest.number} preview={preview} />
        ))}
      </TableBody>
    </Table>
  );
}

/**
 * The app's open pull-request previews, each with its pull request,
 * address, image and Argo CD state; nothing for an app that did not opt in
 * (annotation `luban.dev/previews: enabled`).
 */
export function PreviewsCard(props: { entity: Entity }) {
  const { entity } = props;
  if (!previewsEnabled(entity)) return null;
  return (
    <InfoCard
      title="Pull-request previews"
      subheader="Each open pull request's head, built and deployed beside the first environment"
      titleTypographyProps={cardHeadingProps}
    >
      <PreviewsTable entity={entity} />
    </InfoCard>
  );
}
