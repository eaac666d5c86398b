import { parseEntityRef } from '@backstage/catalog-model';
import type { LubanChangeResult } from '@luban-backstage/plugin-luban-common';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { LubanApi } from '../../api';
import {
  PRD_DIGEST,
  SND_DIGEST,
  promotionChange,
  renderForEntity,
} from '../DeliveryContent/__testUtils__';
import { backendError } from '../shared/__testUtils__';
import { PromoteDialog } from './PromoteDialog';

const entityRef = parseEntityRef('component:default/ledger-api');

function renderDialog(promote: LubanApi['promote'], onClose = jest.fn()) {
  renderForEntity(
    <PromoteDialog
      entityRef={entityRef}
      from="snd"
      to="prd"
      onClose={onClose}
    />,
    { lubanApi: { promote } },
  );
  return onClose;
}

const failingSoak: LubanChangeResult['gates'][number] = {
  gate: 'soak',
  passed: false,
  reason: 'It has run in snd for 12 minutes; 60 are required',
};

describe('PromoteDialog', () => {
  it('shows the dry run: gates, digests, commits and the overlay diff', async () => {
    const promote = jest.fn(async () => promotionChange());
    renderDialog(promote);

    const dialog = await screen.findByRole('dialog', {
      name: 'Promote snd → prd',
    });
    const gates = await within(dialog).findByRole('list', { name: 'Gates' });
    expect(
      within(gates)
        .getAllByRole('listitem')
        .map(item => item.textContent),
    ).toEqual([
      'Synced: passedsnd is Synced (snd-acme-ledger-api)',
      'Healthy: passedsnd is Healthy (snd-acme-ledger-api)',
      'Build succeeded: passedBuild #12 (ledger-api-build-12) succeeded',
    ]);
    expect(within(dialog).getByText('sha256:9f9f9f9f9f9f')).toHaveAttribute(
      'title',
      PRD_DIGEST,
    );
    expect(within(dialog).getByText('sha256:5d5d5d5d5d5d')).toHaveAttribute(
      'title',
      SND_DIGEST,
    );
    const commits = within(dialog).getByRole('list', {
      name: 'Commits built since what prd runs',
    });
    expect(
      within(commits)
        .getAllByRole('link')
        .map(link => link.getAttribute('href')),
    ).toEqual([
      'https://github.com/acme/ledger-api/commit/aaaa111122223333444455556666777788889999',
      'https://github.com/acme/ledger-api/commit/0123456789abcdef0123456789abcdef01234567',
    ]);
    // Text queries collapse the indentation of the YAML.
    expect(within(dialog).getByText(`- digest: ${PRD_DIGEST}`)).toBeVisible();
    expect(within(dialog).getByText(`+ digest: ${SND_DIGEST}`)).toBeVisible();
    expect(
      within(dialog).getByRole('button', { name: 'Open pull request' }),
    ).toBeEnabled();
    expect(promote).toHaveBeenCalledTimes(1);
    expect(promote).toHaveBeenCalledWith(entityRef, {
      from: 'snd',
      to: 'prd',
      dryRun: true,
    });
  });

  it('shows why a failing gate blocks the promotion, and opens no pull request', async () => {
    const promote = jest.fn(async () =>
      promotionChange({
        allowed: false,
        gates: [...promotionChange().gates, failingSoak],
      }),
    );
    renderDialog(promote);

    const dialog = await screen.findByRole('dialog', {
      name: 'Promote snd → prd',
    });
    expect(
      await within(dialog).findByText(
        'It has run in snd for 12 minutes; 60 are required',
      ),
    ).toBeVisible();
    expect(within(dialog).getByText('Soak time: failed')).toBeVisible();
    expect(within(dialog).getByRole('alert')).toHaveTextContent(
      'A gate failed, so no pull request can be opened',
    );
    expect(
      within(dialog).getByRole('button', { name: 'Open pull request' }),
    ).toBeDisabled();
    expect(promote).toHaveBeenCalledTimes(1);
  });

  it('links a vulnerability refusal to the scan in Harbor', async () => {
    const harborPage = `https://harbor.example.com/harbor/projects/3/repositories/ledger-api/artifacts-tab/artifacts/${SND_DIGEST}`;
    const promote = jest.fn(async () =>
      promotionChange({
        allowed: false,
        gates: [
          ...promotionChange().gates,
          {
            gate: 'vulnerabilities',
            passed: false,
            reason:
              '5d5d5d5d5d5d has 1 CRITICAL vulnerability (blocked at CRITICAL and above)',
            url: harborPage,
          },
        ],
      }),
    );
    renderDialog(promote);

    const gates = await screen.findByRole('list', { name: 'Gates' });
    const refusal = within(gates)
      .getAllByRole('listitem')
      .find(item => item.textContent?.startsWith('Vulnerabilities: failed'))!;
    expect(refusal).toHaveTextContent('1 CRITICAL vulnerability');
    expect(
      within(refusal).getByRole('link', { name: /Scan in Harbor/ }),
    ).toHaveAttribute('href', harborPage);
  });

  it('opens the pull request without a dry run and links to it', async () => {
    const user = userEvent.setup();
    const promote = jest.fn(async (_entity, request) =>
      request.dryRun
        ? promotionChange()
        : promotionChange({
            dryRun: false,
            pullRequest: {
              number: 12,
              url: 'https://github.com/acme/acme-gitops/pull/12',
              reused: false,
            },
          }),
    );
    const onClose = renderDialog(promote);

    const open = await screen.findByRole('button', {
      name: 'Open pull request',
    });
    await user.click(open);

    const outcome = await screen.findByText(/opened: the change is deployed/);
    expect(
      within(outcome).getByRole('link', { name: /Pull request #12/ }),
    ).toHaveAttribute('href', 'https://github.com/acme/acme-gitops/pull/12');
    expect(promote).toHaveBeenLastCalledWith(entityRef, {
      from: 'snd',
      to: 'prd',
    });
    expect(open).toBeDisabled();

    await user.click(screen.getByRole('button', { name: 'Close' }));
    expect(onClose).toHaveBeenCalledWith(true);
  });

  it('says when the pull request was already open', async () => {
    const user = userEvent.setup();
    const promote = jest.fn(async (_entity, request) =>
      request.dryRun
        ? promotionChange()
        : promotionChange({
            dryRun: false,
            pullRequest: {
              number: 7,
              url: 'https://github.com/acme/acme-gitops/pull/7',
              reused: true,
            },
          }),
    );
    renderDialog(promote);

    await user.click(
      await screen.findByRole('button', { name: 'Open pull request' }),
    );

    expect(
      await screen.findByText(/reused: it was already open/),
    ).toHaveTextContent('Pull request #7');
  });

  it("shows the backend's message inside the dialog when the promotion is refused", async () => {
    const user = userEvent.setup();
    const error = await backendError(
      403,
      'You may not promotion create component:default/ledger-api: only its owners may',
    );
    const promote = jest.fn(async (_entity, request) => {
      if (request.dryRun) return promotionChange();
      throw error;
    });
    const onClose = renderDialog(promote);

    await user.click(
      await screen.findByRole('button', { name: 'Open pull request' }),
    );

    const dialog = screen.getByRole('dialog');
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'Could not open the pull request: You may not promotion create component:default/ledger-api: only its owners may',
    );
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(onClose).toHaveBeenCalledWith(false);
  });

  it("shows the backend's message when the dry run fails", async () => {
    const error = await backendError(
      409,
      'prd already runs 5d5d5d5d5d5d: there is nothing to change',
    );
    renderDialog(async () => {
      throw error;
    });

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not check the promotion of snd to prd: prd already runs 5d5d5d5d5d5d: there is nothing to change',
    );
    expect(
      screen.getByRole('button', { name: 'Open pull request' }),
    ).toBeDisabled();
  });
});
