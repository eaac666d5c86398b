import { parseEntityRef } from '@backstage/catalog-model';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  lubanEnvironmentResourceRef,
  lubanEnvironmentSyncPermission,
  type LubanEnvironmentState,
  type LubanSyncResult,
} from '@luban-backstage/plugin-luban-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import SyncIcon from '@material-ui/icons/Sync';
import { useState } from 'react';
import { lubanApiRef } from '../../api';
import { ActionButton } from '../DeliveryContent/ActionButton';
import { backendMessage } from '../shared';

/** Argo CD's operation phases that are still at work (pkg/apis/application/v1alpha1/types.go). */
const ACTIVE_PHASES = new Set(['Running', 'Terminating']);

/** Why a sync of the environment cannot start, if it cannot. */
function syncBlocker(
  environment: LubanEnvironmentState,
  allowed: boolean | undefined,
  ownerName: string,
): string | undefined {
  if (allowed === undefined) return '';
  if (!allowed) {
    return `Only the owners of ${ownerName} can sync, and ${environment.name} only if the permission policy allows it`;
  }
  const operation = environment.argoCd?.operation;
  if (operation && ACTIVE_PHASES.has(operation.phase)) {
    return `Argo CD is syncing ${environment.name}: ${operation.phase}`;
  }
  return undefined;
}

/** Asks before a sync, saying what the backend's dry run found it would deploy. */
function SyncDialog(props: {
  plan: LubanSyncResult;
  requesting: boolean;
  onClose: () => void;
  onSync: () => void;
}) {
  const { plan, requesting, onClose, onSync } = props;
  const titleId = `sync-${plan.environment}-title`;
  return (
    <Dialog open onClose={onClose} aria-labelledby={titleId}>
      <DialogTitle id={titleId}>Sync {plan.environment}?</DialogTitle>
      <DialogContent>
        <DialogContentText>
          Argo CD deploys commit {plan.revision.slice(0, 7)}, the head of the
          GitOps branch, to {plan.environment} (application {plan.application}
          ). Merged changes that are not running yet go live.
        </DialogContentText>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={requesting}>
          Not now
        </Button>
        <Button color="primary" onClick={onSync} disabled={requesting}>
          Start the sync
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/** A sync of one environment: first its dry run (the plan to confirm), then the sync itself. */
function useSyncRequest(entityRef: string, envName: string) {
  const lubanApi = useApi(lubanApiRef);
  const alertApi = useApi(alertApiRef);
  const [requesting, setRequesting] = useState(false);
  const [plan, setPlan] = useState<LubanSyncResult>();
  const request = async (dryRun: boolean) => {
    setRequesting(true);
    try {
      const result = await lubanApi.syncEnvironment(
        parseEntityRef(entityRef),
        envName,
        dryRun ? { dryRun } : undefined,
      );
      if (dryRun) {
        setPlan(result);
        return;
      }
      alertApi.post({
        message: `Argo CD is syncing ${envName} to ${result.revision.slice(
          0,
          7,
        )}`,
        severity: 'success',
        display: 'transient',
      });
      setPlan(undefined);
    } catch (error) {
      alertApi.post({
        message: `Could not sync ${envName}: ${backendMessage(error as Error)}`,
        severity: 'error',
      });
      setPlan(undefined);
    } finally {
      setRequesting(false);
    }
  };
  return {
    requesting,
    plan,
    ask: () => request(true),
    sync: () => request(false),
    close: () => setPlan(undefined),
  };
}

/**
 * Sync for an environment whose Argo CD application does not sync by itself:
 * after a confirmation that names what a dry run found it would deploy,
 * starts a sync of the merged revision (the backend sets the Application's
 * `operation`); its progress shows in the Argo CD column, which live updates
 * refresh. Nothing for an environment that syncs by itself.
 */
export function SyncButton(props: {
  entityRef: string;
  environment: LubanEnvironmentState;
  ownerName: string;
}) {
  const { entityRef, environment, ownerName } = props;
  const { requesting, plan, ask, sync, close } = useSyncRequest(
    entityRef,
    environment.name,
  );
  const permission = usePermission({
    permission: lubanEnvironmentSyncPermission,
    resourceRef: lubanEnvironmentResourceRef(entityRef, environment.name),
  });
  if (!environment.argoCd || environment.argoCd.automated !== false) {
    return null;
  }
  const blocker = syncBlocker(
    environment,
    permission.loading ? undefined : permission.allowed,
    ownerName,
  );
  return (
    <>
      <ActionButton
        icon={<SyncIcon />}
        label={`Sync ${environment.name}`}
        disabled={blocker !== undefined || requesting}
        disabledReason={blocker || undefined}
        onClick={ask}
      />
      {plan && (
        <SyncDialog
          plan={plan}
          requesting={requesting}
          onClose={close}
          onSync={sync}
        />
      )}
    </>
  );
}
