import IconButton from '@material-ui/core/IconButton';
import Tooltip from '@material-ui/core/Tooltip';
import { type ReactNode, useId } from 'react';
import { VisuallyHidden } from '../shared';

/**
 * A small icon button of an environment row, named by `label`: the tooltip
 * shows the label, and when the button is disabled for a reason, the reason
 * too (also the button's description for screen readers). Icons keep the
 * Actions column narrow enough for the matrix to fit at 1,280 px, as
 * Backstage's own tables do with row actions. A disabled button fires no
 * pointer events, so the tooltip sits on a wrapper, which is always there so
 * that the button stays the same element when a permission decision arrives.
 */
export function ActionButton(props: {
  icon: ReactNode;
  label: string;
  onClick: () => void;
  disabled?: boolean;
  disabledReason?: string;
}) {
  const { icon, label, onClick, disabled, disabledReason } = props;
  const reasonId = useId();
  const reason = disabled ? disabledReason : undefined;
  return (
    <Tooltip
      title={
        reason ? (
          <>
            <div>{label}</div>
            <div>{reason}</div>
          </>
        ) : (
          label
        )
      }
    >
      <span>
        <IconButton
          size="small"
          color="primary"
          aria-label={label}
          aria-describedby={reason ? reasonId : undefined}
          disabled={disabled}
          onClick={onClick}
        >
          {icon}
        </IconButton>
        {/* Not shown: the tooltip shows it on hover. */}
        {reason && <VisuallyHidden id={reasonId}>{reason}</VisuallyHidden>}
      </span>
    </Tooltip>
  );
}
