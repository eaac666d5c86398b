import type { CompoundEntityRef } from '@backstage/catalog-model';
import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type {
  LubanChangeResult,
  LubanDeployment,
} from '@luban-backstage/plugin-luban-common';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { lubanApiRef } from '../../api';
import { ChangeRequestDialog } from '../ChangeRequestDialog';
import { DigestChange, OverlayDiff, PreviewSection } from '../ChangePreview';
import { backendMessage } from '../shared';
import { VersionTable } from './VersionTable';

/**
 * Props of {@link RollbackDialog}.
 * @public
 */
export interface RollbackDialogProps {
  /** The entity whose app is rolled back; keep the object stable between renders. */
  entityRef: CompoundEntityRef;
  environment: string;
  /** Called when the dialog closes; `changed` is true once a pull request was opened. */
  onClose: (changed: boolean) => void;
}

/**
 * The version the backend restores when none is named: the one before the
 * current one. When no version is current (the overlay no longer names a
 * digest), the newest one.
 */
function defaultVersion(versions: LubanDeployment[]): string | undefined {
  const current = versions.findIndex(version => version.current);
  const candidate = current === -1 ? versions[0] : versions[current + 1];
  return candidate?.digest;
}

function RollbackPreview(props: {
  environment: string;
  preview: { loading: boolean; error?: Error; value?: LubanChangeResult };
}) {
  const { environment, preview } = props;
  if (preview.loading) {
    return <Progress aria-label="Preparing the preview of the rollback" />;
  }
  if (preview.error) {
    return (
      <Alert severity="error">
        Could not preview the rollback: {backendMessage(preview.error)}
      </Alert>
    );
  }
  if (!preview.value) {
    return null;
  }
  return (
    <>
      <DigestChange
        environment={environment}
        fromDigest={preview.value.fromDigest}
        toDigest={preview.value.toDigest}
      />
      <OverlayDiff
        overlayPath={preview.value.overlayPath}
        diff={preview.value.diff}
      />
    </>
  );
}

function NoEarlierVersion(props: {
  environment: string;
  versions: LubanDeployment[];
}) {
  const { environment, versions } = props;
  const message =
    versions.length === 0
      ? `luban found no version of this app in the history of ${environment}'s overlay, so there is nothing to roll back to.`
      : `${environment} has run only its current version: there is no earlier version to roll back to.`;
  return <Typography variant="body2">{message}</Typography>;
}

/**
 * The versions of an environment, the one chosen (the backend's default
 * until the user picks one), the dry run of restoring it and the request
 * that opens the pull request.
 */
function useRollback(entityRef: CompoundEntityRef, environment: string) {
  const lubanApi = useApi(lubanApiRef);
  const [chosen, setChosen] = useState<string>();

  const history = useAsync(
    () => lubanApi.getHistory(entityRef, environment),
    [lubanApi, entityRef, environment],
  );
  const versions = history.value ?? [];
  const selected = chosen ?? defaultVersion(versions);

  const preview = useAsync(async () => {
    if (!selected) return undefined;
    return lubanApi.rollback(entityRef, {
      env: environment,
      toDigest: selected,
      dryRun: true,
    });
  }, [lubanApi, entityRef, environment, selected]);
  const [opening, openPullRequest] = useAsyncFn(
    () =>
      lubanApi.rollback(entityRef, { env: environment, toDigest: selected }),
    [lubanApi, entityRef, environment, selected],
  );
  return {
    history,
    versions,
    selected,
    setChosen,
    preview,
    opening,
    openPullRequest,
  };
}

/** The versions to choose from and the preview of the chosen one. */
function RollbackChoice(props: {
  environment: string;
  rollback: ReturnType<typeof useRollback>;
}) {
  const { environment, rollback } = props;
  const { history, versions, opening } = rollback;
  if (history.loading) {
    return <Progress aria-label={`Reading the history of ${environment}`} />;
  }
  if (history.error) {
    return (
      <Alert severity="error">
        Could not read the history of {environment}:{' '}
        {backendMessage(history.error)}
      </Alert>
    );
  }
  if (!versions.some(version => !version.current)) {
    return <NoEarlierVersion environment={environment} versions={versions} />;
  }
  return (
    <>
      <VersionTable
        environment={environment}
        versions={versions}
        selected={rollback.selected}
        onSelect={rollback.setChosen}
        disabled={Boolean(opening.value?.pullRequest) || opening.loading}
      />
      <PreviewSection title="Preview">
        <RollbackPreview environment={environment} preview={rollback.preview} />
      </PreviewSection>
    </>
  );
}

/**
 * Restores an earlier version of an environment: lists the versions its
 * overlay ran, previews the change to the chosen one and opens the rollback
 * pull request.
 *
 * @public
 */
export function RollbackDialog(props: RollbackDialogProps) {
  const { entityRef, environment, onClose } = props;
  const rollback = useRollback(entityRef, environment);
  const { preview } = rollback;

  return (
    <ChangeRequestDialog
      title={`Roll back ${environment}`}
      opening={rollback.opening}
      onOpen={rollback.openPullRequest}
      ready={Boolean(preview.value) && !preview.loading}
      onClose={onClose}
    >
      <RollbackChoice environment={environment} rollback={rollback} />
    </ChangeRequestDialog>
  );
}
