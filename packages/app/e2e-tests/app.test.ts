/*
 * Copyright 2020 The Backstage Authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

import { test, expect } from '@playwright/test';
import { USERS } from './signIn';

test('the sign-in page offers the demo users, and signs the picked one in', async ({
  page,
}) => {
  await page.goto('/');
  for (const title of Object.values(USERS)) {
    await expect(
      page.getByRole('button', { name: `Sign in as ${title}` }),
    ).toBeVisible();
  }
  await page.getByRole('button', { name: `Sign in as ${USERS.dario}` }).click();

  // The catalog is the landing page (app-config.yaml).
  await expect(
    page.getByRole('heading', { level: 1, name: 'Catalog' }),
  ).toBeVisible();
  await expect(
    page.getByRole('link', { name: 'Create', exact: true }).first(),
  ).toBeVisible();

  // A reload keeps the person signed in, as that person.
  await page.reload();
  await expect(
    page.getByRole('heading', { level: 1, name: 'Catalog' }),
  ).toBeVisible();
  await page.goto('/settings');
  await expect(page.getByText('dario@data.example')).toBeVisible();
});
