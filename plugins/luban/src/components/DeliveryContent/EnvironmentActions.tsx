import type { AsyncPermissionResult } from '@backstage/plugin-permission-react';
import type { LubanEnvironmentState } from '@luban-backstage/plugin-luban-common';
import { makeStyles } from '@material-ui/core/styles';
import { ActionButton } from './ActionButton';

const useStyles = makeStyles(theme => ({
  actions: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
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
      reason: `Only the owners of ${ownerName} can promote`,
    };
  }
  if (!source?.digest) {
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
  permission: AsyncPermissionResult,
  ownerName: string,
): { disabled: boolean; reason?: string } {
  if (permission.loading) {
    return { disabled: true };
  }
  if (!permission.allowed) {
    return {
      disabled: true,
      reason: `Only the owners of ${ownerName} can roll back`,
    };
  }
  return { disabled: false };
}

/**
 * Promote, Rollback and Trace for one environment of the matrix. The backend
 * checks the same permissions again; the buttons only spare users a 403.
 */
export function EnvironmentActions(props: {
  environment: LubanEnvironmentState;
  environments: LubanEnvironmentState[];
  ownerName: string;
  promotePermission: AsyncPermissionResult;
  rollbackPermission: AsyncPermissionResult;
  onPromote: (from: string, to: string) => void;
  onRollback: (environment: string) => void;
  onTrace: (digest: string) => void;
}) {
  const { environment, environments, ownerName } = props;
  const classes = useStyles();
  const { promotesFrom: from, digest } = environment;
  const promotion =
    from === undefined
      ? undefined
      : promotionBlocker({
          target: environment,
          source: environments.find(candidate => candidate.name === from),
          permission: props.promotePermission,
          ownerName,
        });
  const rollback = rollbackBlocker(props.rollbackPermission, ownerName);

  return (
    <div className={classes.actions}>
      {from !== undefined && promotion && (
        <ActionButton
          disabled={promotion.disabled}
          disabledReason={promotion.reason}
          onClick={() => props.onPromote(from, environment.name)}
        >
          Promote {from} → {environment.name}
        </ActionButton>
      )}
      <ActionButton
        label={`Rollback ${environment.name}`}
        disabled={rollback.disabled}
        disabledReason={rollback.reason}
        onClick={() => props.onRollback(environment.name)}
      >
        Rollback
      </ActionButton>
      {digest && (
        <ActionButton
          label={`Trace what ${environment.name} runs`}
          onClick={() => props.onTrace(digest)}
        >
          Trace
        </ActionButton>
      )}
    </div>
  );
}
