import Tooltip from '@material-ui/core/Tooltip';
import type { ReactElement } from 'react';

/**
 * Wraps a button the permission policy may deny: the tooltip says why. A
 * disabled button fires no events, so the tooltip sits on a wrapper, which is
 * focusable when denied, so that keyboard users can read why too.
 */
export function DeniedTooltip(props: {
  reason?: string;
  children: ReactElement;
}) {
  const { reason, children } = props;
  return (
    <Tooltip title={reason ?? ''}>
      {/* eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex */}
      <span tabIndex={reason ? 0 : undefined}>{children}</span>
    </Tooltip>
  );
}
