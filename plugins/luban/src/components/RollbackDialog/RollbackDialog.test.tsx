import { parseEntityRef } from '@backstage/catalog-model';
import type { LubanRollbackRequest } from '@luban-backstage/plugin-luban-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { LubanApi } from '../../api';
import {
  PRD_DIGEST,
  digestOf,
  prdHistory,
  renderForEntity,
} from '../DeliveryContent/__testUtils__';
import { backendError } from '../shared/__testUtils__';
import { RollbackDialog } from './RollbackDialog';

const entityRef = parseEntityRef('component:default/ledger-api');
const BUILD_8 = digestOf('8e8e8e8e8e8e');
const BUILD_7 = digestOf('7d7d7d7d7d7d');

/** What the backend answers: a preview on dry runs, else pull request #31. */
function rollbackTo() {
  return jest.fn(async (_entity: unknown, request: LubanRollbackRequest) => ({
    allowed: true,
    gates: [],
    fromDigest: PRD_DIGEST,
    toDigest: request.toDigest!,
    overlayPath: 'apps/ledger-api/overlays/prd/kustomization.yaml',
    diff: `-    digest: ${PRD_DIGEST}\n+    digest: ${request.toDigest}`,
    dryRun: Boolean(request.dryRun),
    pullRequest: request.dryRun
      ? undefined
      : {
          number: 31,
          url: 'https://github.com/acme/acme-gitops/pull/31',
          reused: false,
        },
  }));
}

function renderDialog(lubanApi: Partial<LubanApi>, onClose = jest.fn()) {
  renderForEntity(
    <RollbackDialog
      entityRef={entityRef}
      environment="prd"
      onClose={onClose}
    />,
    { lubanApi },
  );
  return onClose;
}

describe('RollbackDialog', () => {
  it('chooses the version before the current one and previews the rollback to it', async () => {
    const rollback = rollbackTo();
    renderDialog({ getHistory: async () => prdHistory(), rollback });

    const dialog = await screen.findByRole('dialog', { name: 'Roll back prd' });
    const previous = await within(dialog).findByRole('radio', {
      name: 'Restore sha256:8e8e8e8e8e8e (build #8)',
    });
    expect(previous).toBeChecked();
    const current = within(dialog).getByRole('radio', {
      name: 'prd runs sha256:9f9f9f9f9f9f (build #9) now',
    });
    expect(current).toBeDisabled();
    expect(within(dialog).getByText('running now')).toBeVisible();
    expect(
      within(dialog).getByRole('radio', {
        name: 'Restore sha256:7d7d7d7d7d7d',
      }),
    ).not.toBeChecked();
    expect(
      within(dialog).getByText(
        'Grace: Promote ledger-api to prd (8e8e8e8e8e8e)',
      ),
    ).toBeVisible();

    expect(
      await within(dialog).findByText(`+ digest: ${BUILD_8}`),
    ).toBeVisible();
    expect(rollback).toHaveBeenCalledWith(entityRef, {
      env: 'prd',
      toDigest: BUILD_8,
      dryRun: true,
    });
  });

  it('opens the pull request for the chosen version and links to it', async () => {
    const user = userEvent.setup();
    const rollback = rollbackTo();
    const onClose = renderDialog({
      getHistory: async () => prdHistory(),
      rollback,
    });

    await user.click(
      await screen.findByRole('radio', { name: 'Restore sha256:7d7d7d7d7d7d' }),
    );
    expect(await screen.findByText(`+ digest: ${BUILD_7}`)).toBeVisible();
    const open = screen.getByRole('button', { name: 'Open pull request' });
    await waitFor(() => expect(open).toBeEnabled());
    await user.click(open);

    expect(
      await screen.findByRole('link', { name: /Pull request #31/ }),
    ).toHaveAttribute('href', 'https://github.com/acme/acme-gitops/pull/31');
    expect(rollback).toHaveBeenLastCalledWith(entityRef, {
      env: 'prd',
      toDigest: BUILD_7,
    });
    expect(open).toBeDisabled();
    await user.click(screen.getByRole('button', { name: 'Close' }));
    expect(onClose).toHaveBeenCalledWith(true);
  });

  it('says so when the environment has no history', async () => {
    const rollback = rollbackTo();
    renderDialog({ getHistory: async () => [], rollback });

    expect(
      await screen.findByText(
        "luban found no version of this app in the history of prd's overlay, so there is nothing to roll back to.",
      ),
    ).toBeVisible();
    expect(
      screen.getByRole('button', { name: 'Open pull request' }),
    ).toBeDisabled();
    expect(rollback).not.toHaveBeenCalled();
  });

  it('says so when the environment only ever ran its current version', async () => {
    renderDialog({
      getHistory: async () => prdHistory().slice(0, 1),
      rollback: rollbackTo(),
    });

    expect(
      await screen.findByText(
        'prd has run only its current version: there is no earlier version to roll back to.',
      ),
    ).toBeVisible();
  });

  it("shows the backend's message when the history cannot be read", async () => {
    const error = await backendError(
      400,
      "'qa' is not an environment; the environments are snd, prd",
    );
    renderDialog({
      getHistory: async () => {
        throw error;
      },
    });

    expect(await screen.findByRole('alert')).toHaveTextContent(
      "Could not read the history of prd: 'qa' is not an environment; the environments are snd, prd",
    );
  });
});
