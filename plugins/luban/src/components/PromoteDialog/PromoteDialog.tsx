import type { CompoundEntityRef } from '@backstage/catalog-model';
import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { LubanChangeResult } from '@luban-backstage/plugin-luban-common';
import Alert from '@material-ui/lab/Alert';
import useAsync from 'react-use/esm/useAsync';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { lubanApiRef } from '../../api';
import { ChangeRequestDialog } from '../ChangeRequestDialog';
import { DigestChange, OverlayDiff, PreviewSection } from '../ChangePreview';
import { backendMessage } from '../shared';
import { CommitList } from './CommitList';
import { GateReport } from './GateReport';

/**
 * Props of {@link PromoteDialog}.
 * @public
 */
export interface PromoteDialogProps {
  /** The entity whose app is promoted; keep the object stable between renders. */
  entityRef: CompoundEntityRef;
  /** The environment whose digest is promoted. */
  from: string;
  /** The environment that is to run it. */
  to: string;
  /** Called when the dialog closes; `changed` is true once a pull request was opened. */
  onClose: (changed: boolean) => void;
}

function ChangeDetails(props: { change: LubanChangeResult; to: string }) {
  const { change, to } = props;
  return (
    <>
      {!change.allowed && (
        <Alert severity="warning">
          A gate failed, so no pull request can be opened: fix what the failed
          gates name, then promote again.
        </Alert>
      )}
      <PreviewSection title="Gates">
        <GateReport gates={change.gates} />
      </PreviewSection>
      <PreviewSection title="Images">
        <DigestChange
          environment={to}
          fromDigest={change.fromDigest}
          toDigest={change.toDigest}
        />
      </PreviewSection>
      <PreviewSection title="Commits">
        <CommitList commits={change.commits} environment={to} />
      </PreviewSection>
      <PreviewSection title="Overlay change">
        <OverlayDiff overlayPath={change.overlayPath} diff={change.diff} />
      </PreviewSection>
    </>
  );
}

/**
 * Promotes what one environment runs to the next: opens with a dry run that
 * shows the gates, the digests, the commits and the overlay diff, and opens
 * the promotion pull request only when every gate passed.
 *
 * @public
 */
export function PromoteDialog(props: PromoteDialogProps) {
  const { entityRef, from, to, onClose } = props;
  const lubanApi = useApi(lubanApiRef);

  const preview = useAsync(
    () => lubanApi.promote(entityRef, { from, to, dryRun: true }),
    [lubanApi, entityRef, from, to],
  );
  const [opening, openPullRequest] = useAsyncFn(
    () => lubanApi.promote(entityRef, { from, to }),
    [lubanApi, entityRef, from, to],
  );

  // The real request evaluates the gates again; its answer replaces the preview.
  const change = opening.value ?? preview.value;

  return (
    <ChangeRequestDialog
      title={`Promote ${from} → ${to}`}
      opening={opening}
      onOpen={openPullRequest}
      ready={Boolean(change?.allowed)}
      onClose={onClose}
      status={
        <>
          {preview.loading && (
            <Progress aria-label={`Checking the gates of ${from} → ${to}`} />
          )}
          {preview.error && (
            <Alert severity="error">
              Could not check the promotion of {from} to {to}:{' '}
              {backendMessage(preview.error)}
            </Alert>
          )}
        </>
      }
    >
      {change && <ChangeDetails change={change} to={to} />}
    </ChangeRequestDialog>
  );
}
