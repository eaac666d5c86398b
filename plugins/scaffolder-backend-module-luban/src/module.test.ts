import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import request from 'supertest';
import scaffolderModuleLuban from './index';

describe('scaffolderModuleLuban', () => {
  it('adds the luban actions to the scaffolder, with their schemas and examples', async () => {
    const { server } = await startTestBackend({
      features: [
        scaffolderPlugin,
        scaffolderModuleLuban,
        mockServices.rootConfig.factory({ data: {} }),
      ],
    });

    const response = await request(server)
      .get('/api/scaffolder/v2/actions')
      .set('Authorization', `Bearer ${mockCredentials.user.token()}`);

    expect(response.status).toBe(200);
    const action = response.body.find((a: { id: string }) => a.id === 'luban:project:validate');
    expect(action).toMatchObject({
      description: expect.stringContaining('Checks a luban project name'),
      schema: {
        input: { properties: { project: { type: 'string' } }, required: ['project'] },
      },
    });
    expect(action.examples).toHaveLength(3);
  });
});
