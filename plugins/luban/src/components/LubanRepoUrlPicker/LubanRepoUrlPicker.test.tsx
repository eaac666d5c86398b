import type { Entity } from '@backstage/catalog-model';
import {
  TestApiProvider,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { createFieldValidation } from '@backstage/plugin-scaffolder-react/alpha';
import { TestApiRegistry } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { LubanRepoUrlPicker } from './LubanRepoUrlPicker';
import type { LubanRepoUrlPickerProps } from './schema';
import { lubanRepoUrlValidation } from './validation';

const payments: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'System',
  metadata: {
    name: 'payments',
    namespace: 'default',
    annotations: {
      'luban.dev/gitops-repo': 'https://github.com/payments/payments-gitops',
    },
  },
  spec: { owner: 'group:default/payments-team' },
};

/** Stands in for Backstage's RepoUrlPicker, which the scaffolder registers by name: shows the value it was given. */
const RepoUrlPicker = ({ formData }: { formData?: string }) => (
  <output aria-label="repository">{formData ?? 'empty'}</output>
);

function renderPicker(
  formData: string | undefined,
  form: Record<string, unknown>,
) {
  const props = {
    formData,
    formContext: { formData: form },
    registry: { fields: { RepoUrlPicker } },
    uiSchema: {
      'ui:options': {
        namedAfter: 'app',
        besideGitOpsOf: 'project',
        allowedHosts: ['github.com', 'dev.azure.com'],
      },
    },
    onChange: () => {},
    schema: {},
    idSchema: { $id: 'root_repoUrl' },
  } as unknown as LubanRepoUrlPickerProps;
  return renderInTestApp(
    <TestApiProvider
      apis={[[catalogApiRef, catalogApiMock({ entities: [payments] })]]}
    >
      <LubanRepoUrlPicker {...props} />
    </TestApiProvider>,
  );
}

describe('LubanRepoUrlPicker', () => {
  it("opens Backstage's picker on the app's name, beside its project's GitOps repository", async () => {
    await renderPicker(undefined, {
      app: 'refunds',
      project: 'system:default/payments',
    });
    expect(
      await screen.findByRole('status', { name: 'repository' }),
    ).toHaveTextContent('github.com?owner=payments&repo=refunds');
  });

  it('keeps what the user chose before', async () => {
    await renderPicker('dev.azure.com?organization=acme&owner=shop&repo=mine', {
      app: 'refunds',
      project: 'system:default/payments',
    });
    expect(
      await screen.findByRole('status', { name: 'repository' }),
    ).toHaveTextContent('dev.azure.com?organization=acme&owner=shop&repo=mine');
  });
});

describe('lubanRepoUrlValidation', () => {
  function errorsFor(value: string | undefined) {
    const validation = createFieldValidation();
    lubanRepoUrlValidation(value as string, validation, {
      apiHolder: TestApiRegistry.from(),
      formData: {},
      schema: {},
    });
    return validation.__errors;
  }

  it('says in words which part of the repository is missing', () => {
    expect(errorsFor(undefined)).toEqual([
      'Choose the git host the repository goes on.',
    ]);
    expect(errorsFor('github.com?repo=refunds')).toEqual([
      'Name the organization or user the repository belongs to.',
    ]);
    expect(errorsFor('github.com?owner=payments')).toEqual([
      'Name the repository.',
    ]);
    expect(errorsFor('github.com?owner=payments&repo=refunds')).toEqual([]);
  });
});
