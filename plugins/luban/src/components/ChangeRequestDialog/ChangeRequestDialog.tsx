import { Progress } from '@backstage/core-components';
import type { LubanChangeResult } from '@luban-backstage/plugin-luban-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Alert from '@material-ui/lab/Alert';
import { type ReactNode, useId } from 'react';
import { PullRequestOutcome } from '../ChangePreview';
import { backendMessage } from '../shared';

/** Where the request that opens the pull request stands. */
export interface ChangeRequestState {
  loading: boolean;
  error?: Error;
  /** The answer; only its pull request is read (a release answers with one too). */
  value?: Pick<LubanChangeResult, 'pullRequest'>;
}

/**
 * The frame of a dialog that changes what an environment runs through a
 * GitOps pull request (promote, rollback): the title, how opening the pull
 * request went, and Cancel/Close and "Open pull request". What the change
 * is (gates, versions, preview) is the caller's, in `children`.
 */
export function ChangeRequestDialog(props: {
  title: ReactNode;
  /** The request that opens the pull request. */
  opening: ChangeRequestState;
  onOpen: () => void;
  /** True when the change may be proposed, before opening it is considered. */
  ready: boolean;
  /** Called when the dialog closes; `changed` is true once a pull request was opened. */
  onClose: (changed: boolean) => void;
  /** Shown above how opening went: how reading the change goes. */
  status?: ReactNode;
  children?: ReactNode;
}) {
  const { title, opening, onOpen, ready, onClose, status, children } = props;
  const titleId = useId();
  const pullRequest = opening.value?.pullRequest;
  const canOpen = ready && !pullRequest && !opening.loading;
  const close = () => onClose(Boolean(pullRequest));

  return (
    <Dialog
      open
      onClose={close}
      aria-labelledby={titleId}
      fullWidth
      maxWidth="md"
    >
      <DialogTitle id={titleId}>{title}</DialogTitle>
      <DialogContent>
        {status}
        {opening.error && (
          <Alert severity="error">
            Could not open the pull request: {backendMessage(opening.error)}
          </Alert>
        )}
        {opening.loading && <Progress aria-label="Opening the pull request" />}
        {pullRequest && <PullRequestOutcome pullRequest={pullRequest} />}
        {children}
      </DialogContent>
      <DialogActions>
        <Button onClick={close}>{pullRequest ? 'Close' : 'Cancel'}</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={!canOpen}
          onClick={() => onOpen()}
        >
          Open pull request
        </Button>
      </DialogActions>
    </Dialog>
  );
}
