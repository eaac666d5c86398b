import type { Entity } from '@backstage/catalog-model';
import {
  ApiBlueprint,
  coreExtensionData,
  type AnyApiFactory,
} from '@backstage/frontend-plugin-api';
import {
  TestApiProvider,
  createExtensionTester,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { screen } from '@testing-library/react';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';
import lubanPlugin from './alpha';
import {
  lubanNameFormField,
  lubanRepoUrlFormField,
} from './components/formFields';
import { LubanClient, lubanApiRef } from './api';

const acme: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'ledger-api',
    annotations: { 'luban.dev/project': 'acme' },
  },
};

describe('luban plugin (new frontend system)', () => {
  it('is the luban plugin', () => {
    expect(lubanPlugin.pluginId).toBe('luban');
  });

  it('provides the LubanApi as a LubanClient', () => {
    const tester = createExtensionTester(lubanPlugin.getExtension('api:luban'));
    const factory = tester.get(ApiBlueprint.dataRefs.factory) as AnyApiFactory;

    expect(factory.api.id).toBe(lubanApiRef.id);
    expect(
      factory.factory({
        discoveryApi: { getBaseUrl: async () => '' },
        fetchApi: { fetch },
      }),
    ).toBeInstanceOf(LubanClient);
  });

  it('adds a Project tab to the pages of entities with a luban project, the System among them', async () => {
    const tester = createExtensionTester(
      lubanPlugin.getExtension('entity-content:luban'),
    );
    const filter = tester.get(
      EntityContentBlueprint.dataRefs.filterFunction,
    ) as (entity: Entity) => boolean;

    expect(tester.get(coreExtensionData.routePath)).toBe('luban');
    expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe('Project');
    expect(filter(acme)).toBe(true);
    expect(filter({ ...acme, kind: 'System' })).toBe(true);
    expect(filter({ ...acme, metadata: { name: 'other' } })).toBe(false);

    renderInTestApp(
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
                environments: [],
              }),
            },
          ],
        ]}
      >
        <EntityProvider entity={acme}>{tester.reactElement()}</EntityProvider>
      </TestApiProvider>,
    );
    expect(
      await screen.findByRole('row', { name: /ci-acme/ }),
    ).toBeInTheDocument();
  });
  it.each([
    ['entity-content:luban/builds', 'ci', 'CI'],
    ['entity-content:luban/delivery', 'delivery', 'Delivery'],
  ])(
    'adds the %s tab at %s, titled %s, to the apps of a luban project, not to its System, and in no group',
    (id, path, title) => {
      const tester = createExtensionTester(
        lubanPlugin.getExtension(id as 'entity-content:luban/builds'),
      );
      const filter = tester.get(
        EntityContentBlueprint.dataRefs.filterFunction,
      ) as (entity: Entity) => boolean;

      expect(tester.get(coreExtensionData.routePath)).toBe(path);
      expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe(title);
      // A group would put the tab under a dropdown ("Deployment ▾").
      expect(tester.get(EntityContentBlueprint.dataRefs.group)).toBeUndefined();
      expect(filter(acme)).toBe(true);
      expect(filter({ ...acme, kind: 'System' })).toBe(false);
      expect(filter({ ...acme, metadata: { name: 'other' } })).toBe(false);
    },
  );

  it.each([
    ['scaffolder-form-field:luban/name', lubanNameFormField],
    ['scaffolder-form-field:luban/repo-url', lubanRepoUrlFormField],
  ] as const)(
    'gives the Create page its form field %s, loaded when a form needs it',
    async (id, field) => {
      const tester = createExtensionTester(lubanPlugin.getExtension(id));
      const load = tester.get(FormFieldBlueprint.dataRefs.formFieldLoader);

      expect(await load()).toBe(field);
    },
  );

  it('adds the delivery card to the overview of entities with a luban project', () => {
    const tester = createExtensionTester(
      lubanPlugin.getExtension('entity-card:luban/delivery'),
    );
    const filter = tester.get(EntityCardBlueprint.dataRefs.filterFunction) as (
      entity: Entity,
    ) => boolean;

    expect(filter(acme)).toBe(true);
    expect(filter({ ...acme, metadata: { name: 'other' } })).toBe(false);
  });
});
