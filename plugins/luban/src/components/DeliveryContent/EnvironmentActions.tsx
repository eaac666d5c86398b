import {
  usePermission,
  type AsyncPermissionResult,
} from '@backstage/plugin-permission-react';
import {
  lubanEnvironmentResourceRef,
  lubanPromotionCreatePermission,
  lubanPromotionRollbackPermission,
  type LubanEnvironmentState,
} from '@luban-backstage/plugin-luban-common';
import { makeStyles } from '@material-ui/core/styles';
import PromoteIcon from '@material-ui/icons/Publish';
import RollbackIcon from '@material-ui/icons/History';
import TraceIcon from '@material-ui/icons/Timeline';
import { SyncButton } from '../delivery/SyncButton';
import { ActionButton } from './ActionButton';
import { isDeployed } from './EnvironmentCells';

const useStyles = makeStyles(theme => ({
  actions: {
    display: 'flex',
    flexWrap: 'nowrap',
    gap: theme.spacing(0.5),
  },
}));

/** Why a promotion into `target` cannot start, if it cannot. */
function promotionBlocker(options: {
  target: LubanEnvironmentState;
  source?: LubanEnvironmentState;
  permission: AsyncPermissionResult;
  ownerName: string;
}): { disabled: boolean; reason?: string } {
  const { target, source, permission, ownerName } = options;
  if (permission.loading) {
    return { disabled: true };
  }
  if (!permission.allowed) {
    return {
      disabled: true,
      reason: `Only the owners of ${ownerName} can promote, and to ${target.name} only if the permission policy allows it`,
    };
  }
  if (!source?.digest && !source?.tag) {
    return {
      disabled: true,
      reason: `${target.promotesFrom} runs no image that could be promoted`,
    };
  }
  if (!target.behindSource) {
    return {
      disabled: true,
      reason: `${target.name} already runs what ${source.name} runs`,
    };
  }
  return { disabled: false };
}

function rollbackBlocker(
  environment: LubanEnvironmentState,
  permission: AsyncPermissionResult,
  ownerName: string,
): { disabled: boolean; reason?: string } {
  if (permission.loading) {
    return { disabled: true };
  }
  if (!permission.allowed) {
    return {
      disabled: true,
      reason: `Only the owners of ${ownerName} can roll back, and ${environment.name} only if the permission policy allows it`,
    };
  }
  if (!isDeployed(environment)) {
    return {
      disabled: true,
      reason: `Nothing to roll back to: ${environment.name} was never deployed`,
    };
  }
  return { disabled: false };
}

/**
 * Promote, Rollback and Trace for one environment of the matrix. Promote and
 * rollback are asked of the permission policy for this environment; the
 * backend checks them again, the buttons only spare users a 403.
 */
export function EnvironmentActions(props: {
  environment: LubanEnvironmentState;
  environments: LubanEnvironmentState[];
  entityRef: string;
  ownerName: string;
  onPromote: (from: string, to: string) => void;
  onRollback: (environment: string) => void;
  onTrace: (digest: string) => void;
}) {
  const { environment, environments, ownerName } = props;
  const classes = useStyles();
  const resourceRef = lubanEnvironmentResourceRef(
    props.entityRef,
    environment.name,
  );
  const promotePermission = usePermission({
    permission: lubanPromotionCreatePermission,
    resourceRef,
  });
  const rollbackPermission = usePermission({
    permission: lubanPromotionRollbackPermission,
    resourceRef,
  });
  const { promotesFrom: from, digest } = environment;
  const promotion =
    from === undefined
      ? undefined
      : promotionBlocker({
          target: environment,
          source: environments.find(candidate => candidate.name === from),
          permission: promotePermission,
          ownerName,
        });
  const rollback = rollbackBlocker(environment, rollbackPermission, ownerName);

  return (
    <div className={classes.actions}>
      {from !== undefined && promotion && (
        <ActionButton
          icon={<PromoteIcon />}
          label={`Promote ${from} → ${environment.name}`}
          disabled={promotion.disabled}
          disabledReason={promotion.reason}
          onClick={() => props.onPromote(from, environment.name)}
        />
      )}
      <ActionButton
        icon={<RollbackIcon />}
        label={`Rollback ${environment.name}`}
        disabled={rollback.disabled}
        disabledReason={rollback.reason}
        onClick={() => props.onRollback(environment.name)}
      />
      <SyncButton
        entityRef={props.entityRef}
        environment={environment}
        ownerName={ownerName}
      />
      <ActionButton
        icon={<TraceIcon />}
        label={`Trace what ${environment.name} runs`}
        disabled={!digest}
        disabledReason={`${environment.name} runs no image digest to trace`}
        onClick={() => digest && props.onTrace(digest)}
      />
    </div>
  );
}
