import { parseEntityRef } from '@backstage/catalog-model';
import type { LubanBuildList } from '@luban-backstage/plugin-luban-common';
import { screen, within } from '@testing-library/react';
import {
  SND_DIGEST,
  promotionState,
  renderForEntity,
} from '../DeliveryContent/__testUtils__';
import { aBuild, backendError } from '../shared/__testUtils__';
import { TraceabilityPanel } from './TraceabilityPanel';

const entityRef = parseEntityRef('component:default/ledger-api');

const builds: LubanBuildList = {
  image: 'ci-acme/ledger-api',
  cluster: 'dev',
  builds: [
    aBuild({
      name: 'ledger-api-build-13',
      number: 13,
      digest: undefined,
      status: 'running',
    }),
    aBuild({
      digest: SND_DIGEST,
      image: `harbor.acme.test/acme/ledger-api@${SND_DIGEST}`,
      registryUrl:
        'https://harbor.acme.test/harbor/projects/1/repositories/ledger-api/artifacts/5d5d',
    }),
  ],
};

/** The text under one step's heading of the chain. */
function step(title: string) {
  const heading = screen.getByRole('heading', { level: 3, name: title });
  return heading.closest('li')!;
}

describe('TraceabilityPanel', () => {
  it('traces a digest from its commit to the environments that run it', async () => {
    // A promotion of snd's digest into prd is open.
    const state = promotionState();
    renderForEntity(
      <TraceabilityPanel
        entityRef={entityRef}
        digest={SND_DIGEST}
        state={state}
      />,
      { lubanApi: { listBuilds: async () => builds } },
    );

    const panel = await screen.findByRole('region', {
      name: 'Trace of sha256:5d5d5d5d5d5d',
    });
    expect(
      within(panel)
        .getAllByRole('heading', { level: 3 })
        .map(heading => heading.textContent),
    ).toEqual([
      'Commit',
      'Build',
      'Image',
      'Vulnerabilities',
      'Pull requests',
      'Environments',
    ]);

    expect(
      within(step('Commit')).getByRole('link', { name: /Commit 0123456/ }),
    ).toHaveAttribute(
      'href',
      'https://github.com/acme/ledger-api/commit/0123456789abcdef0123456789abcdef01234567',
    );
    const build = step('Build');
    expect(
      within(build).getByRole('link', { name: 'Build #12' }),
    ).toHaveAttribute(
      'href',
      '/catalog/default/component/ledger-api/ci?build=ledger-api-build-12',
    );
    expect(build).toHaveTextContent('Succeeded');
    const image = step('Image');
    expect(
      within(image).getByRole('link', {
        name: /Digest sha256:5d5d5d5d5d5d in Harbor/,
      }),
    ).toHaveAttribute(
      'href',
      'https://harbor.acme.test/harbor/projects/1/repositories/ledger-api/artifacts/5d5d',
    );
    expect(image).toHaveTextContent(
      `harbor.acme.test/acme/ledger-api@${SND_DIGEST}`,
    );
    const vulnerabilities = step('Vulnerabilities');
    expect(vulnerabilities).toHaveTextContent(
      '0 critical, 2 high, 5 medium, 9 low',
    );
    expect(
      within(vulnerabilities).getByRole('link', { name: /Harbor/ }),
    ).toHaveAttribute(
      'href',
      `https://harbor.acme.test/harbor/projects/1/repositories/ledger-api/artifacts/${SND_DIGEST}`,
    );
    const pullRequests = step('Pull requests');
    expect(
      within(pullRequests).getByRole('link', { name: /#12/ }),
    ).toHaveAttribute('href', 'https://github.com/acme/acme-gitops/pull/12');
    expect(pullRequests).toHaveTextContent(
      'into prd: Promote ledger-api to prd (5d5d5d5d5d5d)',
    );
    expect(
      within(step('Environments'))
        .getAllByRole('listitem')
        .map(item => item.textContent?.split(',')[0]),
    ).toEqual(['snd']);
  });

  it('lists every environment that runs the digest, and no pull request that moves another one', async () => {
    const state = promotionState({
      prd: {
        digest: SND_DIGEST,
        behindSource: false,
        pullRequest: {
          number: 14,
          url: 'https://github.com/acme/acme-gitops/pull/14',
          title: 'Roll back ledger-api in prd to 8e8e8e8e8e8e',
        },
      },
    });
    renderForEntity(
      <TraceabilityPanel
        entityRef={entityRef}
        digest={SND_DIGEST}
        state={state}
      />,
      { lubanApi: { listBuilds: async () => builds } },
    );

    await screen.findByRole('link', { name: 'Build #12' });
    expect(
      within(step('Environments'))
        .getAllByRole('listitem')
        .map(item => item.textContent?.split(',')[0]),
    ).toEqual(['snd', 'prd']);
    expect(step('Pull requests')).toHaveTextContent(
      'No open pull request moves it.',
    );
  });

  it('still traces what it can when the builds cannot be read', async () => {
    const error = await backendError(
      403,
      'You may not build read component:default/ledger-api: only its owners may',
    );
    renderForEntity(
      <TraceabilityPanel
        entityRef={entityRef}
        digest={SND_DIGEST}
        state={promotionState()}
      />,
      {
        lubanApi: {
          listBuilds: async () => {
            throw error;
          },
        },
      },
    );

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The builds could not be read: You may not build read component:default/ledger-api: only its owners may',
    );
    // The promotion state still names the build and commit of the digest.
    expect(
      within(step('Build')).getByRole('link', { name: 'Build #12' }),
    ).toHaveAttribute(
      'href',
      '/catalog/default/component/ledger-api/ci?build=ledger-api-build-12',
    );
    expect(
      within(step('Commit')).getByRole('link', { name: /Commit 0123456/ }),
    ).toBeInTheDocument();
  });
});
