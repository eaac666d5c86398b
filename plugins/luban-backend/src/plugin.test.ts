import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import request from 'supertest';
import { lubanPlugin } from './plugin';

describe('lubanPlugin', () => {
  it('answers GET /api/luban/health with its version and the default environments', async () => {
    const { server } = await startTestBackend({ features: [lubanPlugin] });

    const response = await request(server).get('/api/luban/health');

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      status: 'ok',
      version: require('../package.json').version,
      environments: [
        expect.objectContaining({ name: 'snd', namespacePattern: '{env}-{project}', autoSync: true }),
        expect.objectContaining({ name: 'prd', namespacePattern: '{env}-{project}', promotesFrom: 'snd' }),
      ],
    });
  });

  it('reports the environments configured in luban.environments', async () => {
    const { server } = await startTestBackend({
      features: [
        lubanPlugin,
        mockServices.rootConfig.factory({
          data: {
            luban: {
              environments: [{ name: 'dev' }, { name: 'prod', namespace: '{project}' }],
            },
          },
        }),
      ],
    });

    const response = await request(server).get('/api/luban/health');

    expect(response.body.environments).toEqual([
      expect.objectContaining({ name: 'dev', namespacePattern: '{env}-{project}' }),
      expect.objectContaining({ name: 'prod', namespacePattern: '{project}', promotesFrom: 'dev' }),
    ]);
  });

  it('refuses to start with an invalid environment, naming it', async () => {
    await expect(
      startTestBackend({
        features: [
          lubanPlugin,
          mockServices.rootConfig.factory({
            data: { luban: { environments: [{ name: 'Prod' }] } },
          }),
        ],
      }),
    ).rejects.toThrow(/luban.environments\[0\].name: The environment name "Prod" must be lowercase/);
  });
});
