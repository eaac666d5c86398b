import {
  type Entity,
  getCompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import { humanizeEntityRef } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  type LubanRebuildResult,
  lubanBuildRebuildPermission,
} from '@luban-backstage/plugin-luban-common';
import Button from '@material-ui/core/Button';
import ReplayIcon from '@material-ui/icons/Replay';
import { useState } from 'react';
import { lubanApiRef } from '../../api';
import { backendMessage, DeniedTooltip } from '../shared';

/**
 * Asks kpack to build the entity's latest source again. Shown to everyone,
 * enabled for those the permission policy allows (the backend checks again).
 *
 * @public
 */
export function RebuildButton(props: {
  entity: Entity;
  /** Called once kpack accepted the request, e.g. to re-read the builds. */
  onRebuilt?: (result: LubanRebuildResult) => void;
}) {
  const { entity, onRebuilt } = props;
  const lubanApi = useApi(lubanApiRef);
  const alertApi = useApi(alertApiRef);
  const [requesting, setRequesting] = useState(false);
  const permission = usePermission({
    permission: lubanBuildRebuildPermission,
    resourceRef: stringifyEntityRef(entity),
  });

  const rebuild = async () => {
    setRequesting(true);
    try {
      const result = await lubanApi.rebuild(getCompoundEntityRef(entity));
      alertApi.post({
        message: `Rebuild requested from build ${result.triggeredFrom}`,
        severity: 'success',
        display: 'transient',
      });
      onRebuilt?.(result);
    } catch (error) {
      alertApi.post({
        message: `Could not rebuild: ${backendMessage(error as Error)}`,
        severity: 'error',
      });
    } finally {
      setRequesting(false);
    }
  };

  // Said only once the decision is known, not while it loads.
  const denied = !permission.loading && !permission.allowed;
  return (
    <DeniedTooltip
      reason={
        denied
          ? `Only the owners of ${humanizeEntityRef(entity)} can rebuild`
          : undefined
      }
    >
      <Button
        variant="outlined"
        color="primary"
        startIcon={<ReplayIcon />}
        disabled={!permission.allowed || requesting}
        onClick={rebuild}
      >
        Rebuild
      </Button>
    </DeniedTooltip>
  );
}
