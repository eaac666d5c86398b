import { parseEntityRef } from '@backstage/catalog-model';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  lubanEnvironmentResourceRef,
  lubanEnvironmentSyncPermission,
  type LubanEnvironmentState,
} from '@luban-backstage/plugin-luban-common';
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

/**
 * Sync for an environment whose Argo CD application does not sync by itself:
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
  const lubanApi = useApi(lubanApiRef);
  const alertApi = useApi(alertApiRef);
  const [requesting, setRequesting] = useState(false);
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
  const sync = async () => {
    setRequesting(true);
    try {
      const result = await lubanApi.syncEnvironment(
        parseEntityRef(entityRef),
        environment.name,
      );
      alertApi.post({
        message: `Argo CD is syncing ${
          environment.name
        } to ${result.revision.slice(0, 7)}`,
        severity: 'success',
        display: 'transient',
      });
    } catch (error) {
      alertApi.post({
        message: `Could not sync ${environment.name}: ${backendMessage(
          error as Error,
        )}`,
        severity: 'error',
      });
    } finally {
      setRequesting(false);
    }
  };
  return (
    <ActionButton
      icon={<SyncIcon />}
      label={`Sync ${environment.name}`}
      disabled={blocker !== undefined || requesting}
      disabledReason={blocker || undefined}
      onClick={sync}
    />
  );
}
