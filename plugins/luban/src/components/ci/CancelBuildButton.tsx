import {
  type Entity,
  getCompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import { humanizeEntityRef } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  type LubanBuild,
  lubanBuildCancelPermission,
} from '@luban-backstage/plugin-luban-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import { useState } from 'react';
import { lubanApiRef } from '../../api';
import { backendMessage, DeniedTooltip } from '../shared';

/** Asks before a build is cancelled, and says what kpack does then. */
function CancelBuildDialog(props: {
  build: LubanBuild;
  open: boolean;
  requesting: boolean;
  onKeep: () => void;
  onCancel: () => void;
}) {
  const { build, open, requesting, onKeep, onCancel } = props;
  const titleId = `cancel-${build.name}-title`;
  return (
    <Dialog open={open} onClose={onKeep} aria-labelledby={titleId}>
      <DialogTitle id={titleId}>Cancel build #{build.number}?</DialogTitle>
      <DialogContent>
        <DialogContentText>
          kpack stops the build and pushes no image. It does not build this
          commit again by itself: use Rebuild for that.
        </DialogContentText>
      </DialogContent>
      <DialogActions>
        <Button onClick={onKeep} disabled={requesting}>
          Keep running
        </Button>
        <Button color="primary" onClick={onCancel} disabled={requesting}>
          Cancel the build
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/**
 * Cancel for a running build, after a confirmation: luban ends the kpack
 * Build (kpack has no cancel of its own) and it then reads as cancelled.
 * Disabled, with the reason, for those the permission policy does not allow
 * (the backend checks again).
 */
export function CancelBuildButton(props: {
  entity: Entity;
  build: LubanBuild;
  /** Called once the build is cancelled, e.g. to re-read the builds. */
  onCancelled?: (build: LubanBuild) => void;
}) {
  const { entity, build, onCancelled } = props;
  const lubanApi = useApi(lubanApiRef);
  const alertApi = useApi(alertApiRef);
  const [confirming, setConfirming] = useState(false);
  const [requesting, setRequesting] = useState(false);
  const permission = usePermission({
    permission: lubanBuildCancelPermission,
    resourceRef: stringifyEntityRef(entity),
  });
  const label = `Cancel build #${build.number}`;

  const cancel = async () => {
    setRequesting(true);
    try {
      const cancelled = await lubanApi.cancelBuild(
        getCompoundEntityRef(entity),
        build.name,
      );
      alertApi.post({
        message: `Build #${build.number} cancelled`,
        severity: 'success',
        display: 'transient',
      });
      onCancelled?.(cancelled);
    } catch (error) {
      alertApi.post({
        message: `Could not cancel build #${build.number}: ${backendMessage(
          error as Error,
        )}`,
        severity: 'error',
      });
    } finally {
      setRequesting(false);
      setConfirming(false);
    }
  };

  // Said only once the decision is known, not while it loads.
  const denied = !permission.loading && !permission.allowed;
  return (
    <>
      <DeniedTooltip
        reason={
          denied
            ? `Only the owners of ${humanizeEntityRef(
                entity,
              )} can cancel a build`
            : undefined
        }
      >
        <Button
          size="small"
          aria-label={label}
          disabled={!permission.allowed || requesting}
          onClick={() => setConfirming(true)}
        >
          Cancel
        </Button>
      </DeniedTooltip>
      <CancelBuildDialog
        build={build}
        open={confirming}
        requesting={requesting}
        onKeep={() => setConfirming(false)}
        onCancel={cancel}
      />
    </>
  );
}
