import type { Entity } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import {
  TestApiProvider,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import {
  EntityProvider,
  catalogApiRef,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import type {
  LubanProjectView,
  LubanPromotionState,
} from '@luban-backstage/plugin-luban-common';
import { screen, within } from '@testing-library/react';
import { type LubanApi, lubanApiRef } from '../../api';
import { ProjectContent } from './ProjectContent';

function entityWith(annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'ledger-api', annotations },
    spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
  };
}

// The platform names are the backend's to derive; distinct values here show
// that the tab displays what the backend answered, each in one place.
const view: LubanProjectView = {
  project: 'acme',
  app: 'ledger-api',
  ciNamespace: 'ci-acme',
  harborProject: 'acme-images',
  argoCdProject: 'acme-argo',
  gitopsRepository: 'acme-gitops',
  environments: [
    { name: 'snd', namespace: 'snd-acme', autoSync: true },
    { name: 'prd', namespace: 'prd-acme', autoSync: false },
  ],
};

function renderContent(entity: Entity, lubanApi: Partial<LubanApi>) {
  return renderInTestApp(
    <TestApiProvider apis={[[lubanApiRef, lubanApi]]}>
      <EntityProvider entity={entity}>
        <ProjectContent />
      </EntityProvider>
    </TestApiProvider>,
  );
}

describe('ProjectContent', () => {
  const acme = entityWith({
    'luban.dev/project': 'acme',
    'luban.dev/app': 'ledger-api',
  });

  it('shows the project, the app and a namespace per environment', async () => {
    renderContent(acme, { getProject: async () => view });

    const table = await screen.findByRole('table', {
      name: 'Namespaces of the luban project acme',
    });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(
      rows.map(row => [
        within(row).getByRole('rowheader').textContent,
        ...within(row)
          .getAllByRole('cell')
          .map(cell => cell.textContent),
      ]),
    ).toEqual([
      ['ci', 'ci-acme', 'Builds'],
      ['snd', 'snd-acme', 'Deployments'],
      ['prd', 'prd-acme', 'Deployments'],
    ]);
    expect(
      screen.getByRole('heading', { level: 2, name: 'Project' }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('heading', { level: 2, name: 'Namespaces' }),
    ).toBeInTheDocument();
    expect(screen.getByText('acme')).toBeInTheDocument();
    expect(screen.getByText('ledger-api')).toBeInTheDocument();
  });

  it('renders the namespaces the backend names, whatever their pattern', async () => {
    renderContent(acme, {
      getProject: async () => ({
        ...view,
        environments: [{ name: 'prd', namespace: 'acme-prd', autoSync: true }],
      }),
    });

    const row = await screen.findByRole('row', { name: /^prd/ });
    expect(within(row).getByText('acme-prd')).toBeInTheDocument();
  });

  it('shows progress while the environments load', async () => {
    renderContent(acme, { getProject: () => new Promise(() => {}) });

    expect(await screen.findByRole('progressbar')).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it("shows the backend's message when the environments cannot be loaded", async () => {
    const response = new Response(
      JSON.stringify({
        error: {
          name: 'Error',
          message: 'luban.environments is not configured',
        },
        request: {
          method: 'GET',
          url: '/api/luban/entities/component/default/ledger-api/project',
        },
        response: { statusCode: 500 },
      }),
      {
        status: 500,
        statusText: 'Internal Server Error',
        headers: { 'Content-Type': 'application/json' },
      },
    );
    const error = await ResponseError.fromResponse(response);
    renderContent(acme, {
      getProject: async () => {
        throw error;
      },
    });

    expect(
      await screen.findByText(
        'Error: Could not load the luban environments: luban.environments is not configured',
      ),
    ).toBeVisible();
  });

  it('explains how to add the project annotation when it is missing', async () => {
    const getProject = jest.fn(async () => view);
    renderContent(entityWith({ 'luban.dev/app': 'ledger-api' }), {
      getProject,
    });

    expect(
      await screen.findByRole('heading', { name: 'Missing Annotation' }),
    ).toBeInTheDocument();
    expect(screen.getByText(/The annotation/)).toHaveTextContent(
      'The annotation luban.dev/project is missing.',
    );
    // The YAML example shows where the annotation goes.
    const example = screen.getByText(
      (_, element) =>
        element?.tagName === 'PRE' &&
        /luban\.dev\/project: value/.test(element.textContent ?? ''),
    );
    expect(example).toBeInTheDocument();
    expect(getProject).not.toHaveBeenCalled();
  });

  it('explains what is wrong with an invalid project name', async () => {
    const getProject = jest.fn(async () => view);
    renderContent(entityWith({ 'luban.dev/project': 'Acme' }), { getProject });

    expect(
      await screen.findByText('Invalid luban project name'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /The project name "Acme" must be lowercase: use "acme"\./,
      ),
    ).toBeInTheDocument();
    expect(getProject).not.toHaveBeenCalled();
  });

  it('warns about an invalid app name next to a valid project', async () => {
    renderContent(
      entityWith({
        'luban.dev/project': 'acme',
        'luban.dev/app': 'ledger_api',
      }),
      { getProject: async () => ({ ...view, app: 'ledger_api' }) },
    );

    expect(await screen.findByRole('alert')).toHaveTextContent(
      `The app name "ledger_api" contains '_'`,
    );
  });
  it("shows the project's Harbor project, Argo CD project and GitOps repository", async () => {
    renderContent(acme, { getProject: async () => view });

    await screen.findByText('Harbor project');
    const terms = screen.getAllByRole('term');
    expect(
      terms.map(term => [term.textContent, term.nextSibling?.textContent]),
    ).toEqual([
      ['Project', 'acme'],
      ['App', 'ledger-api'],
      ['Harbor project', 'acme-images'],
      ['Argo CD project', 'acme-argo'],
      ['GitOps repository', 'acme-gitops'],
    ]);
  });

  it('names the cluster of each environment when they run on two clusters', async () => {
    renderContent(acme, {
      getProject: async () => ({
        ...view,
        environments: [
          { name: 'dev', namespace: 'dev-acme', autoSync: true },
          { name: 'qa', namespace: 'qa-acme', autoSync: true },
          {
            name: 'prod',
            namespace: 'prod-acme',
            cluster: 'prod-cluster',
            autoSync: false,
          },
        ],
      }),
    });

    const table = await screen.findByRole('table', {
      name: 'Namespaces of the luban project acme',
    });
    expect(
      within(table).getByRole('columnheader', { name: 'Cluster' }),
    ).toBeInTheDocument();
    const rows = within(table).getAllByRole('row').slice(1);
    expect(
      rows.map(row =>
        within(row)
          .getAllByRole('cell')
          .map(cell => cell.textContent),
      ),
    ).toEqual([
      ['ci-acme', '—', 'Builds'],
      ['dev-acme', 'default', 'Deployments'],
      ['qa-acme', 'default', 'Deployments'],
      ['prod-acme', 'prod-cluster', 'Deployments'],
    ]);
  });
});

describe('ProjectContent on the project System', () => {
  const system: Entity = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'System',
    metadata: { name: 'acme', annotations: { 'luban.dev/project': 'acme' } },
    spec: { owner: 'team-a' },
  };
  const app = (name: string): Entity => ({
    ...entityWith({ 'luban.dev/project': 'acme', 'luban.dev/app': name }),
    metadata: {
      name,
      annotations: { 'luban.dev/project': 'acme', 'luban.dev/app': name },
    },
  });
  const state = (name: string): LubanPromotionState => ({
    gitopsRepo: 'https://github.com/acme/acme-gitops',
    environments: [
      {
        name: 'snd',
        overlayPath: `apps/${name}/overlays/snd/kustomization.yaml`,
        image: `harbor.acme.test/acme/${name}@sha256:${'5d'.repeat(32)}`,
        digest: `sha256:${'5d'.repeat(32)}`,
        argoCd: {
          application: `snd-acme-${name}`,
          syncStatus: 'Synced',
          healthStatus: 'Healthy',
        },
      },
      {
        name: 'prd',
        promotesFrom: 'snd',
        overlayPath: `apps/${name}/overlays/prd/kustomization.yaml`,
        image: `harbor.acme.test/acme/${name}`,
        argoCd: {
          application: `prd-acme-${name}`,
          syncStatus: 'Synced',
          healthStatus: 'Healthy',
        },
      },
    ],
  });

  it('lists the apps by environment, and asks for no app annotation', async () => {
    renderInTestApp(
      <TestApiProvider
        apis={[
          [
            lubanApiRef,
            {
              getProject: async () => ({ ...view, app: undefined }),
              getPromotion: async ref => state(ref.name),
              getRelease: async () => ({
                system: 'system:default/acme',
                environments: [
                  { name: 'snd' },
                  { name: 'prd', promotesFrom: 'snd' },
                ],
                members: [],
              }),
            },
          ],
          [
            catalogApiRef,
            catalogApiMock({
              entities: [app('ledger-api'), app('billing-api'), system],
            }),
          ],
        ]}
      >
        <EntityProvider entity={system}>
          <ProjectContent />
        </EntityProvider>
      </TestApiProvider>,
      { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
    );

    const table = await screen.findByRole('table', {
      name: 'Apps of acme by environment',
    });
    expect(
      within(table)
        .getAllByRole('columnheader')
        .map(header => header.textContent),
    ).toEqual(['App', 'snd', 'prd']);
    const ledger = within(table).getByRole('row', { name: /^ledger-api/ });
    expect(within(ledger).getByText('sha256:5d5d5d5d5d5d')).toBeInTheDocument();
    expect(within(ledger).getByText('Synced · Healthy')).toBeInTheDocument();
    expect(within(ledger).getByText('Not deployed yet')).toBeInTheDocument();
    expect(
      within(table)
        .getAllByRole('rowheader')
        .map(header => header.textContent),
    ).toEqual(['billing-api', 'ledger-api']);
    expect(screen.queryByText(/luban\.dev\/app/)).not.toBeInTheDocument();
    expect(screen.getByText('acme-images')).toBeInTheDocument();
    expect(screen.getByText('acme-gitops')).toBeInTheDocument();
  });
});
