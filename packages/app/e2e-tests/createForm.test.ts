import { expect, test, type Page } from '@playwright/test';
import { screenshot } from './screenshots';
import { signedInAs } from './signIn';

/*
 * The Create page's forms (issue 20): plugin-luban's LubanNameField says what
 * a name needs in words and refuses, with a link, a project or app the
 * catalog already has; its LubanRepoUrlPicker comes prefilled by the naming
 * convention; the review names each value in words. Nothing is created here.
 */
test.describe.configure({ mode: 'serial' });
test.use(signedInAs('paula'));

test('onboarding says what a project name needs in words, and refuses one the catalog has, with a link to it', async ({
  page,
}) => {
  await page.goto('/create/templates/default/luban-project-onboarding');
  const name = page.getByRole('textbox', { name: 'Project name' });

  await name.fill('Payments');
  await expect(
    page.getByText(
      'The project name "Payments" must be lowercase: use "payments".',
    ),
  ).toBeVisible();
  // Not the regular expression, anywhere on the page.
  await expect(page.getByText('[a-z]([-a-z0-9]*')).toHaveCount(0);

  await name.fill('payments');
  await expect(
    page.getByText(
      'A project named "payments" already exists; choose another name.',
    ),
  ).toBeVisible();
  const existing = page.getByRole('link', { name: 'payments', exact: true });
  await expect(existing).toHaveAttribute(
    'href',
    '/catalog/default/system/payments',
  );
  await page.getByRole('textbox', { name: 'Owning group' }).click();
  await page.getByRole('option', { name: /payments-team/ }).click();
  await page.getByRole('textbox', { name: 'Project name' }).focus();
  await screenshot(page, 'create-name-exists');

  // The form does not move on with it.
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(name).toBeVisible();
  await expect(page.getByRole('button', { name: 'Review' })).toHaveCount(0);
});

test('onboarding prefills the GitOps repository as <project>-gitops, and the review names each value in words', async ({
  page,
}) => {
  await page.goto('/create/templates/default/luban-project-onboarding');
  await page.getByRole('textbox', { name: 'Project name' }).fill('orders');
  await page.getByRole('textbox', { name: 'Owning group' }).click();
  await page.getByRole('option', { name: /payments-team/ }).click();
  await page.getByRole('button', { name: 'Next' }).click();

  await expect(
    page.getByRole('textbox', { name: 'Repository name' }),
  ).toHaveValue('orders-gitops');
  // Where the project's repositories live is the user's to say; a free-text combobox, typed, then left.
  const owner = page.getByRole('textbox', {
    name: 'Organization or user on the git host',
  });
  await owner.pressSequentially('payments');
  await owner.press('Tab');
  await page.getByRole('button', { name: 'Review' }).click();
  const review = page.getByRole('table').first();
  await expect(review).toContainText('Project name');
  await expect(review).toContainText(
    'GitOps repository (git host, organization, name)',
  );
  await expect(review).not.toContainText('gitopsRepoUrl');
});

test('a Python app of a name the catalog has is refused with a link to it', async ({
  page,
}) => {
  await page.goto('/create/templates/default/luban-python-app');
  await page.getByRole('textbox', { name: 'App name' }).fill('ledger-api');
  await expect(
    page.getByText(
      'An app named "ledger-api" already exists; choose another name.',
    ),
  ).toBeVisible();
  await expect(
    page.getByRole('link', { name: 'ledger-api', exact: true }),
  ).toHaveAttribute('href', '/catalog/default/component/ledger-api');
});
