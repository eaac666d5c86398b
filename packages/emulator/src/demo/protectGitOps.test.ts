import { startEmulator, type RunningEmulator } from '../server';
import { DEMO } from '../seed';
import { protectGitOpsBranch } from './seedProject';

/*
 * The demo's GitOps branch protected as onboarding protects it (luban-node's
 * github/branchProtection.ts), and the control through which the browser
 * tests act as another GitHub user (github/userTokenControl.ts).
 */
describe('the demo GitOps branch protection and the user-token control', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator();
    await emulator.github.api.createRepository(
      DEMO.project,
      `${DEMO.project}-gitops`,
      {
        files: { 'README.md': '# payments GitOps\n' },
      },
    );
  });
  afterAll(() => emulator.stop());

  const control = (init: RequestInit) =>
    fetch(`${emulator.github.url}/_emulator/github/user-tokens`, init);

  it('requires one approval on main for everyone, luban’s own user bypassing it', async () => {
    await protectGitOpsBranch(emulator, DEMO);
    const response = await fetch(
      `${emulator.github.apiBaseUrl}/repos/payments/payments-gitops/branches/main/protection`,
      {
        headers: { Authorization: `token ${emulator.token}` },
      },
    );
    const protection = await response.json();
    expect(protection.enforce_admins.enabled).toBe(true);
    expect(
      protection.required_pull_request_reviews.required_approving_review_count,
    ).toBe(1);
    expect(
      protection.required_pull_request_reviews.bypass_pull_request_allowances.users.map(
        (u: { login: string }) => u.login,
      ),
    ).toEqual(['luban-bot']);
  });

  it('hands out a token of another user over HTTP, and refuses what is not a login', async () => {
    const answer = await control({
      method: 'POST',
      body: JSON.stringify({ login: 'paula' }),
    });
    expect(answer.status).toBe(201);
    const { token } = await answer.json();
    const user = await fetch(`${emulator.github.apiBaseUrl}/user`, {
      headers: { Authorization: `token ${token}` },
    });
    expect((await user.json()).login).toBe('paula');

    expect((await control({ method: 'POST', body: '{}' })).status).toBe(400);
    expect(
      (
        await control({
          method: 'POST',
          body: JSON.stringify({ login: 'luban-bot' }),
        })
      ).status,
    ).toBe(400);
    expect((await control({ method: 'GET' })).status).toBe(405);
  });
});
