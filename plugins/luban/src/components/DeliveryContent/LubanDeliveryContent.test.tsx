import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { backendError, lubanEntity } from '../shared/__testUtils__';
import {
  PRD_DIGEST,
  SND_DIGEST,
  promotionChange,
  promotionState,
  renderForEntity,
} from './__testUtils__';
import { LubanDeliveryContent } from './LubanDeliveryContent';

function environmentRow(name: string) {
  return screen.getByRole('row', { name: new RegExp(`^${name}`) });
}

describe('LubanDeliveryContent', () => {
  it('shows a skeleton while the environments load', async () => {
    renderForEntity(<LubanDeliveryContent />, {
      lubanApi: { getPromotion: () => new Promise(() => {}) },
    });

    expect(
      await screen.findByRole('progressbar', {
        name: 'Loading the environments',
      }),
    ).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it("shows the backend's message when the state cannot be read", async () => {
    const error = await backendError(
      400,
      "component:default/ledger-api is not a luban app: add the annotation 'luban.dev/gitops-repo: <url>'",
    );
    renderForEntity(<LubanDeliveryContent />, {
      lubanApi: {
        getPromotion: async () => {
          throw error;
        },
      },
    });

    expect(
      await screen.findByText(
        "Error: Could not read what runs where: component:default/ledger-api is not a luban app: add the annotation 'luban.dev/gitops-repo: <url>'",
      ),
    ).toBeVisible();
  });

  it('names the missing app annotation instead of asking the backend', async () => {
    const getPromotion = jest.fn(async () => promotionState());
    renderForEntity(<LubanDeliveryContent />, {
      entity: lubanEntity({ 'luban.dev/project': 'acme' }),
      lubanApi: { getPromotion },
    });

    expect(
      await screen.findByRole('heading', { name: 'Missing Annotation' }),
    ).toBeInTheDocument();
    expect(screen.getByText(/The annotation/)).toHaveTextContent(
      'The annotation luban.dev/app is missing.',
    );
    expect(getPromotion).not.toHaveBeenCalled();
  });

  it('shows what runs in each environment, in promotion order', async () => {
    renderForEntity(<LubanDeliveryContent />, {
      lubanApi: { getPromotion: async () => promotionState() },
    });

    const table = await screen.findByRole('table', {
      name: 'Environments of ledger-api, in promotion order',
    });
    expect(
      within(table)
        .getAllByRole('rowheader')
        .map(header => header.textContent),
    ).toEqual(['snd', 'prd']);

    const prd = environmentRow('prd');
    expect(within(prd).getByText('v1.4.0')).toBeInTheDocument();
    expect(within(prd).getByText('sha256:9f9f9f9f9f9f')).toHaveAttribute(
      'title',
      PRD_DIGEST,
    );
    expect(
      within(prd).getByRole('button', {
        name: 'Copy digest sha256:9f9f9f9f9f9f',
      }),
    ).toBeInTheDocument();
    expect(within(prd).getByText('behind snd')).toBeInTheDocument();
    expect(
      within(prd).getByRole('link', { name: /Commit fedcba9/ }),
    ).toHaveAttribute(
      'href',
      'https://github.com/acme/ledger-api/commit/fedcba9876543210fedcba9876543210fedcba98',
    );
    expect(
      within(prd).getByRole('link', { name: 'Build #9 in the Builds tab' }),
    ).toHaveAttribute(
      'href',
      '/catalog/default/component/ledger-api/ci?build=ledger-api-build-9',
    );
    // One line: Argo CD's words for sync and health, linking to the application.
    expect(
      within(prd).getByRole('link', {
        name: /^Argo CD: Sync OutOfSync, health Degraded, application prd-acme-ledger-api/,
      }),
    ).toHaveTextContent('OutOfSync · Degraded');
    expect(
      within(prd).getByRole('link', { name: /prd-acme-ledger-api/ }),
    ).toHaveAttribute(
      'href',
      'https://argocd.acme.test/applications/argocd/prd-acme-ledger-api',
    );
    expect(prd).toHaveTextContent('1 critical, 3 high');
    expect(
      within(prd).getByRole('link', { name: /^Pull request #12: / }),
    ).toHaveAttribute('href', 'https://github.com/acme/acme-gitops/pull/12');

    const snd = environmentRow('snd');
    expect(within(snd).getByText('Synced · Healthy')).toBeInTheDocument();
    expect(snd).toHaveTextContent('0 critical, 2 high');
    expect(within(snd).getByRole('link', { name: /Harbor/ })).toHaveAttribute(
      'href',
      `https://harbor.acme.test/harbor/projects/1/repositories/ledger-api/artifacts/${SND_DIGEST}`,
    );
    expect(within(snd).queryByText(/^behind/)).not.toBeInTheDocument();
    expect(within(snd).getByText('None')).toBeInTheDocument();
    // snd is the first environment: new builds deploy there, nothing is promoted into it.
    expect(
      within(snd).queryByRole('button', { name: /Promote/ }),
    ).not.toBeInTheDocument();
    expect(
      within(prd).getByRole('button', { name: 'Promote snd → prd' }),
    ).toBeEnabled();
    expect(
      within(prd).getByRole('button', { name: 'Rollback prd' }),
    ).toBeEnabled();
  });

  it('warns about what could not be read and still shows the rest of the environment', async () => {
    renderForEntity(<LubanDeliveryContent />, {
      lubanApi: {
        getPromotion: async () =>
          promotionState({
            prd: {
              argoCd: undefined,
              vulnerabilities: {
                critical: 0,
                high: 0,
                medium: 0,
                low: 0,
                scanned: false,
              },
              problems: ['There is no Argo CD application prd-acme-ledger-api'],
            },
          }),
      },
    });

    const warning = await screen.findByRole('alert');
    expect(warning).toHaveTextContent(
      'Part of what prd runs could not be read; the rest is shown.',
    );
    expect(warning).toHaveTextContent(
      'There is no Argo CD application prd-acme-ledger-api',
    );
    const prd = environmentRow('prd');
    expect(within(prd).getByText('No application')).toBeInTheDocument();
    expect(within(prd).getByText('Not scanned')).toBeInTheDocument();
    expect(within(prd).getByText('sha256:9f9f9f9f9f9f')).toBeInTheDocument();
  });

  it('explains why there is nothing to promote when prd already runs what snd runs', async () => {
    const user = userEvent.setup();
    renderForEntity(<LubanDeliveryContent />, {
      lubanApi: {
        getPromotion: async () =>
          promotionState({ prd: { digest: SND_DIGEST, behindSource: false } }),
      },
    });

    const promote = await screen.findByRole('button', {
      name: 'Promote snd → prd',
    });
    expect(promote).toBeDisabled();
    await user.hover(promote.parentElement!);
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      'prd already runs what snd runs',
    );
  });

  // A new app's overlay names only the image repository (the scaffolder's
  // gitopsFiles.ts): git gives it an age and Argo CD may call it Healthy,
  // but nothing of the app was deployed there.
  it('says "Not deployed yet" of an environment whose overlay pins no version, with no age, health or rollback', async () => {
    const user = userEvent.setup();
    renderForEntity(<LubanDeliveryContent />, {
      lubanApi: {
        getPromotion: async () =>
          promotionState({
            prd: {
              image: 'harbor.acme.test/acme/ledger-api',
              digest: undefined,
              tag: undefined,
              build: undefined,
              pullRequest: undefined,
              deployedAt: '2024-05-03T09:00:00Z',
              argoCd: {
                application: 'prd-acme-ledger-api',
                syncStatus: 'Synced',
                healthStatus: 'Healthy',
              },
            },
          }),
      },
    });

    await screen.findByRole('table');
    const prd = environmentRow('prd');
    expect(within(prd).getByText('Not deployed yet')).toBeInTheDocument();
    expect(prd).not.toHaveTextContent(/ago|Healthy|Unknown/);
    expect(within(prd).getByText('Synced')).toBeInTheDocument();
    expect(within(prd).getByText('behind snd')).toBeInTheDocument();
    expect(
      within(prd).getByRole('button', { name: 'Promote snd → prd' }),
    ).toBeEnabled();
    const rollback = within(prd).getByRole('button', { name: 'Rollback prd' });
    expect(rollback).toBeDisabled();
    expect(rollback).toHaveAccessibleDescription(
      'Nothing to roll back to: prd was never deployed',
    );
    const trace = within(prd).getByRole('button', {
      name: 'Trace what prd runs',
    });
    expect(trace).toBeDisabled();
    await user.hover(rollback.parentElement!);
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      'Nothing to roll back to: prd was never deployed',
    );
    // A hovered tooltip takes seconds on a busy machine (as in the permissions test).
  }, 20_000);

  it('promotes through the dialog and shows the new pull request in the matrix', async () => {
    const user = userEvent.setup();
    const getPromotion = jest
      .fn()
      .mockResolvedValueOnce(
        promotionState({ prd: { pullRequest: undefined } }),
      )
      .mockResolvedValue(promotionState());
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
    renderForEntity(<LubanDeliveryContent />, {
      lubanApi: { getPromotion, promote },
    });

    await user.click(
      await screen.findByRole('button', { name: 'Promote snd → prd' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Promote snd → prd',
    });
    await user.click(
      await within(dialog).findByRole('button', { name: 'Open pull request' }),
    );
    await within(dialog).findByText(/opened/);
    await user.click(within(dialog).getByRole('button', { name: 'Close' }));

    await waitFor(() =>
      expect(
        within(environmentRow('prd')).getByRole('link', { name: /#12/ }),
      ).toBeInTheDocument(),
    );
    expect(getPromotion).toHaveBeenCalledTimes(2);
    expect(promote).toHaveBeenLastCalledWith(
      { kind: 'Component', namespace: 'default', name: 'ledger-api' },
      { from: 'snd', to: 'prd' },
    );
    // A whole promotion clicked through takes over 5 s on a busy machine.
  }, 20_000);

  it('traces what an environment runs and moves the focus to the trace', async () => {
    const user = userEvent.setup();
    renderForEntity(<LubanDeliveryContent />, {
      lubanApi: {
        getPromotion: async () => promotionState(),
        listBuilds: async () => ({
          image: 'ci-acme/ledger-api',
          cluster: 'dev',
          builds: [],
        }),
      },
    });

    await user.click(
      await screen.findByRole('button', { name: 'Trace what snd runs' }),
    );

    const trace = await screen.findByRole('region', {
      name: 'Trace of sha256:5d5d5d5d5d5d',
    });
    expect(trace).toHaveFocus();
    await user.click(
      within(trace).getByRole('button', { name: 'Close the trace' }),
    );
    expect(
      screen.queryByRole('region', { name: /Trace of/ }),
    ).not.toBeInTheDocument();
  });
});
