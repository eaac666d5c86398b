import type { Entity } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import {
  TestApiProvider,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import type { LubanHealth } from '@luban-backstage/plugin-luban-common';
import { screen, within } from '@testing-library/react';
import { type LubanApi, lubanApiRef } from '../../api';
import { LubanOverviewContent } from './LubanOverviewContent';

function entityWith(annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'ledger-api', annotations },
    spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
  };
}

const health: LubanHealth = {
  status: 'ok',
  version: '0.1.0',
  environments: [
    { name: 'snd', namespacePattern: '{env}-{project}' },
    { name: 'prd', namespacePattern: '{env}-{project}' },
  ],
};

function renderContent(entity: Entity, lubanApi: Partial<LubanApi>) {
  return renderInTestApp(
    <TestApiProvider apis={[[lubanApiRef, lubanApi]]}>
      <EntityProvider entity={entity}>
        <LubanOverviewContent />
      </EntityProvider>
    </TestApiProvider>,
  );
}

describe('LubanOverviewContent', () => {
  const acme = entityWith({
    'luban.dev/project': 'acme',
    'luban.dev/app': 'ledger-api',
  });

  it('shows the project, the app and a namespace per environment', async () => {
    renderContent(acme, { getHealth: async () => health });

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
      screen.getByRole('heading', { level: 2, name: 'Luban project' }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('heading', { level: 2, name: 'Namespaces' }),
    ).toBeInTheDocument();
    expect(screen.getByText('acme')).toBeInTheDocument();
    expect(screen.getByText('ledger-api')).toBeInTheDocument();
  });

  it('renders namespaces from a custom namespace pattern', async () => {
    renderContent(acme, {
      getHealth: async () => ({
        ...health,
        environments: [{ name: 'prd', namespacePattern: '{project}-{env}' }],
      }),
    });

    const row = await screen.findByRole('row', { name: /^prd/ });
    expect(within(row).getByText('acme-prd')).toBeInTheDocument();
  });

  it('shows progress while the environments load', async () => {
    renderContent(acme, { getHealth: () => new Promise(() => {}) });

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
        request: { method: 'GET', url: '/api/luban/health' },
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
      getHealth: async () => {
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
    const getHealth = jest.fn(async () => health);
    renderContent(entityWith({ 'luban.dev/app': 'ledger-api' }), {
      getHealth,
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
    expect(getHealth).not.toHaveBeenCalled();
  });

  it('explains what is wrong with an invalid project name', async () => {
    const getHealth = jest.fn(async () => health);
    renderContent(entityWith({ 'luban.dev/project': 'Acme' }), { getHealth });

    expect(
      await screen.findByText('Invalid luban project name'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /The project name "Acme" must be lowercase: use "acme"\./,
      ),
    ).toBeInTheDocument();
    expect(getHealth).not.toHaveBeenCalled();
  });

  it('warns about an invalid app name next to a valid project', async () => {
    renderContent(
      entityWith({
        'luban.dev/project': 'acme',
        'luban.dev/app': 'ledger_api',
      }),
      { getHealth: async () => health },
    );

    expect(await screen.findByRole('alert')).toHaveTextContent(
      `The app name "ledger_api" contains '_'`,
    );
  });
});
