import Button from '@material-ui/core/Button';
import Tooltip from '@material-ui/core/Tooltip';
import { type ReactNode, useId } from 'react';
import { VisuallyHidden } from '../shared';

/**
 * A small button that, when disabled for a reason, says why: in a tooltip on
 * hover, and as the button's description for screen readers. A disabled
 * button fires no pointer events, so the tooltip sits on a wrapper. The
 * wrapper is always there, so that the button stays the same element when a
 * permission decision arrives.
 */
export function ActionButton(props: {
  children: ReactNode;
  label?: string;
  onClick: () => void;
  disabled?: boolean;
  disabledReason?: string;
}) {
  const { children, label, onClick, disabled, disabledReason } = props;
  const reasonId = useId();
  const reason = disabled ? disabledReason : undefined;
  return (
    <Tooltip title={reason ?? ''}>
      <span>
        <Button
          size="small"
          variant="outlined"
          aria-label={label}
          aria-describedby={reason ? reasonId : undefined}
          disabled={disabled}
          onClick={onClick}
        >
          {children}
        </Button>
        {/* Not shown: the tooltip shows it on hover. */}
        {reason && <VisuallyHidden id={reasonId}>{reason}</VisuallyHidden>}
      </span>
    </Tooltip>
  );
}
