import type { Entity } from '@backstage/catalog-model';
import {
  TestApiProvider,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { createFieldValidation } from '@backstage/plugin-scaffolder-react/alpha';
import { TestApiRegistry } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { LubanNameField } from './LubanNameField';
import type { LubanNameFieldProps } from './schema';
import { lubanNameValidation } from './validation';

// What the templates register (templates/project-onboarding, python-app):
// the project as a System, the app as a Component, both named after them.
const payments: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'System',
  metadata: { name: 'payments', namespace: 'default' },
  spec: { owner: 'group:default/payments-team' },
};
const ledgerApi: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'ledger-api', namespace: 'default' },
  spec: { type: 'service', owner: 'group:default/payments-team' },
};
const catalogApi = catalogApiMock({ entities: [payments, ledgerApi] });

/** The field as the scaffolder's form holds it: its value lives in the form. */
function Form({
  kind,
  required,
}: {
  kind: 'project' | 'app';
  required?: boolean;
}) {
  const [value, setValue] = useState<string | undefined>();
  const props = {
    onChange: setValue,
    formData: value,
    required,
    rawErrors: [],
    schema: {
      title: kind === 'project' ? 'Project name' : 'App name',
      description: 'Lowercase letters, digits and dashes.',
    },
    uiSchema: { 'ui:options': { kind } },
    idSchema: { $id: `root_${kind}` },
  } as unknown as LubanNameFieldProps;
  return <LubanNameField {...props} />;
}

function renderField(kind: 'project' | 'app', required?: boolean) {
  return renderInTestApp(
    <TestApiProvider apis={[[catalogApiRef, catalogApi]]}>
      <Form kind={kind} required={required} />
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
}

describe('LubanNameField', () => {
  it('says what the naming rule asks in a sentence, not a regular expression, as the name is typed', async () => {
    await renderField('project');
    const input = screen.getByRole('textbox', { name: /Project name/ });
    expect(
      screen.getByText('Lowercase letters, digits and dashes.'),
    ).toBeInTheDocument();

    await userEvent.type(input, 'Orders');
    expect(
      await screen.findByText(
        'The project name "Orders" must be lowercase: use "orders".',
      ),
    ).toBeInTheDocument();
    await userEvent.clear(input);
    await userEvent.type(input, 'orders-');
    expect(
      await screen.findByText(
        'The project name "orders-" must end with a letter or a digit, not \'-\'.',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByText(/\^\[a-z\]/)).not.toBeInTheDocument();
  });

  it('refuses a project the catalog already has, with a link to it', async () => {
    await renderField('project');
    await userEvent.type(
      screen.getByRole('textbox', { name: /Project name/ }),
      'payments',
    );

    expect(
      await screen.findByText(
        /A project named "payments" already exists; choose another name\./,
      ),
    ).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /payments/ })).toHaveAttribute(
      'href',
      '/catalog/default/system/payments',
    );
  });

  it('refuses an app the catalog already has, and takes a free name without a word', async () => {
    await renderField('app');
    const input = screen.getByRole('textbox', { name: /App name/ });
    await userEvent.type(input, 'ledger-api');
    expect(
      await screen.findByText(/An app named "ledger-api" already exists/),
    ).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /ledger-api/ })).toHaveAttribute(
      'href',
      '/catalog/default/component/ledger-api',
    );

    // A project's name is not an app's: "payments" is free as an app name.
    await userEvent.clear(input);
    await userEvent.type(input, 'payments');
    expect(
      await screen.findByText('Lowercase letters, digits and dashes.'),
    ).toBeInTheDocument();
    expect(screen.queryByText(/already exists/)).not.toBeInTheDocument();
  });

  it('marks a required name with the asterisk only, so the browser does not cover the sentence with its own', async () => {
    await renderField('project', true);
    const input = screen.getByRole('textbox', { name: /Project name/ });
    expect(input).not.toBeRequired();
    expect(screen.getByText('*')).toBeInTheDocument();
  });
});

describe('lubanNameValidation', () => {
  const apiHolder = TestApiRegistry.from([catalogApiRef, catalogApi]);
  async function errorsFor(kind: 'project' | 'app', value: string) {
    const validation = createFieldValidation();
    await lubanNameValidation(value, validation, {
      apiHolder,
      formData: {},
      schema: {},
      uiSchema: { 'ui:options': { kind } },
    });
    return validation.__errors;
  }

  it('refuses, as the user moves on, a name the catalog has and one that breaks the rule, each in a sentence', async () => {
    expect(await errorsFor('project', 'payments')).toEqual([
      'A project named "payments" already exists; choose another name.',
    ]);
    expect(await errorsFor('app', 'ledger-api')).toEqual([
      'An app named "ledger-api" already exists; choose another name.',
    ]);
    expect(await errorsFor('project', 'x'.repeat(31))).toEqual([
      expect.stringMatching(/is 31 characters long; the limit is 30/),
    ]);
    expect(await errorsFor('project', '')).toEqual([
      'Give the project a name.',
    ]);
  });

  it('lets a free, well-formed name through', async () => {
    expect(await errorsFor('project', 'orders')).toEqual([]);
    expect(await errorsFor('app', 'payments')).toEqual([]);
  });
});
