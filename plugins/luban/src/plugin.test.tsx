import type { Entity } from '@backstage/catalog-model';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { screen } from '@testing-library/react';
import { LubanClient, lubanApiRef } from './api';
import {
  EntityLubanContent,
  EntityLubanProjectContent,
  lubanPlugin,
} from './plugin';

const acme: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'ledger-api',
    annotations: { 'luban.dev/project': 'acme' },
  },
};

describe('luban plugin (legacy frontend system)', () => {
  it('provides the LubanApi as a LubanClient', () => {
    const factory = Array.from(lubanPlugin.getApis()).find(
      f => f.api.id === lubanApiRef.id,
    );

    expect(lubanPlugin.getId()).toBe('luban');
    expect(
      factory?.factory({
        discoveryApi: { getBaseUrl: async () => '' },
        fetchApi: { fetch },
      }),
    ).toBeInstanceOf(LubanClient);
  });

  it('renders the Luban entity tab', async () => {
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [
            lubanApiRef,
            {
              getProject: async () => ({
                project: 'acme',
                ciNamespace: 'ci-acme',
                harborProject: 'acme',
                argoCdProject: 'acme',
                gitopsRepository: 'acme-gitops',
                environments: [
                  { name: 'snd', namespace: 'snd-acme', autoSync: true },
                ],
              }),
            },
          ],
        ]}
      >
        <EntityProvider entity={acme}>
          <EntityLubanProjectContent />
        </EntityProvider>
      </TestApiProvider>,
    );

    expect(
      await screen.findByRole('row', { name: /snd-acme/ }),
    ).toBeInTheDocument();
  });

  it('keeps EntityLubanContent as the former name of the project tab', () => {
    expect(EntityLubanContent).toBe(EntityLubanProjectContent);
  });
});
