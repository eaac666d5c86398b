import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import request from 'supertest';
import { lubanPlugin } from './plugin';

describe('lubanPlugin', () => {
  it('answers GET /api/luban/health with its status and version only', async () => {
    const { server } = await startTestBackend({ features: [lubanPlugin] });

    const response = await request(server).get('/api/luban/health');

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      status: 'ok',
      version: require('../package.json').version,
    });
  });

  // The route is unauthenticated: environments, gates and clusters are for signed-in users (the /project route).
  it('keeps the environments configured in luban.environments out of the health answer', async () => {
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

    expect(response.body).toEqual({ status: 'ok', version: require('../package.json').version });
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
