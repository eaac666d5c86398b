import { createHmac, randomBytes } from 'node:crypto';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import eventsPlugin from '@backstage/plugin-events-backend';
import type { JsonObject } from '@backstage/types';
import request from 'supertest';
import { eventsModuleLubanWebhooks } from './webhookModule';

const GITHUB_SECRET = randomBytes(24).toString('hex');
const AZURE_SECRET = randomBytes(24).toString('hex');
const BODY = JSON.stringify({ ref: 'refs/heads/main' });
const signed = (secret: string) => ({ 'X-GitHub-Event': 'push', 'X-Hub-Signature-256': `sha256=${createHmac('sha256', secret).update(BODY).digest('hex')}` });

function startEvents(webhooks: JsonObject) {
  return startTestBackend({
    features: [
      eventsPlugin,
      eventsModuleLubanWebhooks,
      mockServices.rootConfig.factory({ data: { luban: { webhooks }, events: { useEventBus: 'never' } } }),
    ],
  });
}

describe('eventsModuleLubanWebhooks secrets', () => {
  const post = (server: Parameters<typeof request>[0], topic: string, headers: Record<string, string>) => {
    const call = request(server).post(`/api/events/http/${topic}`).set('Content-Type', 'application/json');
    for (const [name, value] of Object.entries(headers)) call.set(name, value);
    return call.send(BODY);
  };

  it("checks each provider's deliveries with that provider's secret only", async () => {
    const backend = await startEvents({ github: { secret: GITHUB_SECRET }, azure: { secret: AZURE_SECRET } });
    try {
      expect((await post(backend.server, 'luban-github', signed(GITHUB_SECRET))).status).toBe(202);
      expect((await post(backend.server, 'luban-github', signed(AZURE_SECRET))).status).toBe(401);
      expect((await post(backend.server, 'luban-azure', { Authorization: `Bearer ${AZURE_SECRET}` })).status).toBe(202);
      expect((await post(backend.server, 'luban-azure', { Authorization: `Bearer ${GITHUB_SECRET}` })).status).toBe(401);
    } finally {
      await backend.stop();
    }
  });

  it('opens no endpoint for a provider without a secret', async () => {
    const backend = await startEvents({ github: { secret: GITHUB_SECRET } });
    try {
      expect((await post(backend.server, 'luban-github', signed(GITHUB_SECRET))).status).toBe(202);
      expect((await post(backend.server, 'luban-azure', { Authorization: `Bearer ${GITHUB_SECRET}` })).status).toBe(404);
    } finally {
      await backend.stop();
    }
  });

  it('refuses to start with a secret shorter than 32 characters, naming the key and not the secret', async () => {
    const short = 'x'.repeat(31);
    const started = startEvents({ github: { secret: GITHUB_SECRET }, azure: { secret: short } });

    await expect(started).rejects.toThrow('luban.webhooks.azure.secret must be at least 32 characters long; it has 31');
    await expect(started).rejects.not.toThrow(short);
  });
});
