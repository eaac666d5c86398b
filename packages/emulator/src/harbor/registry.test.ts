import { startEmulator, type RunningEmulator } from '../index';

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

describe('emulated Harbor registry (/v2/)', () => {
  let emulator: RunningEmulator;
  let admin: string;

  /** Creates a project robot with these repository actions, as luban does; its full name and secret. */
  async function robot(name: string, actions: string[]) {
    const answer = await fetch(`${emulator.harbor.url}/api/v2.0/robots`, {
      method: 'POST',
      headers: { Authorization: admin, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        name,
        level: 'project',
        duration: -1,
        permissions: [
          {
            kind: 'project',
            namespace: 'acme',
            access: actions.map(action => ({ resource: 'repository', action })),
          },
        ],
      }),
    });
    const body = await answer.json();
    return basic(body.name, body.secret);
  }

  function registry(
    path: string,
    auth: string | undefined,
    method = 'GET',
    body?: string,
  ) {
    return fetch(`${emulator.harbor.url}/v2/${path}`, {
      method,
      headers: auth ? { Authorization: auth } : {},
      body,
    });
  }

  beforeAll(async () => {
    emulator = await startEmulator();
    admin = basic(emulator.harbor.username, emulator.harbor.password);
  });
  afterAll(() => emulator.stop());
  beforeEach(async () => {
    await emulator.reset();
    emulator.harbor.api.createProject('acme');
  });

  it('lets a push robot push (upload and manifest) and then pull what it pushed', async () => {
    const push = await robot('ci', ['push', 'pull']);
    const upload = await registry('acme/team/api/blobs/uploads/', push, 'POST');
    expect(upload.status).toBe(202);
    expect(upload.headers.get('location')).toMatch(
      /^\/v2\/acme\/team\/api\/blobs\/uploads\/[0-9a-f-]+$/,
    );

    const manifest = await registry(
      'acme/team/api/manifests/v1',
      push,
      'PUT',
      '{"schemaVersion":2}',
    );
    expect(manifest.status).toBe(201);
    const digest = manifest.headers.get('docker-content-digest')!;
    expect(emulator.harbor.api.hasArtifact('acme', 'team/api', 'v1')).toBe(
      true,
    );

    const pulled = await registry('acme/team/api/manifests/v1', push);
    expect(pulled.status).toBe(200);
    expect(pulled.headers.get('docker-content-digest')).toBe(digest);
  });

  it('lets a pull-only robot pull, and answers its push as Harbor does: 401 naming the repository and action', async () => {
    const { digest } = emulator.harbor.api.pushArtifact({
      project: 'acme',
      repository: 'team/api',
      tags: ['v1'],
    });
    const pull = await robot('runtime', ['pull']);
    expect((await registry('', pull)).status).toBe(200);
    const head = await registry(
      `acme/team/api/manifests/${digest}`,
      pull,
      'HEAD',
    );
    expect(head.status).toBe(200);
    expect(head.headers.get('docker-content-digest')).toBe(digest);

    for (const [path, method] of [
      ['acme/team/api/blobs/uploads/', 'POST'],
      ['acme/team/api/manifests/v2', 'PUT'],
    ]) {
      const refused = await registry(
        path,
        pull,
        method,
        method === 'PUT' ? '{}' : undefined,
      );
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe(
        'Basic realm="harbor"',
      );
      expect(await refused.json()).toEqual({
        errors: [
          {
            code: 'UNAUTHORIZED',
            message:
              'unauthorized to access repository: acme/team/api, action: push',
          },
        ],
      });
    }
    expect(emulator.harbor.api.hasArtifact('acme', 'team/api', 'v2')).toBe(
      false,
    );
  });

  it('refuses a robot of another project, and anonymous callers with a token challenge', async () => {
    emulator.harbor.api.createProject('other');
    const pull = await robot('runtime', ['pull', 'push']);
    expect(
      (await registry('other/app/blobs/uploads/', pull, 'POST')).status,
    ).toBe(401);
    expect((await registry('other/app/manifests/latest', pull)).status).toBe(
      401,
    );

    const anonymous = await registry('acme/app/manifests/latest', undefined);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe(
      `Bearer realm="${emulator.harbor.url}/service/token",service="harbor-registry",scope="repository:acme/app:pull"`,
    );
    expect((await registry('', undefined)).status).toBe(401);
    // A public project lets anyone pull, nobody push without the right.
    expect(
      (await registry('library/app/manifests/latest', undefined)).status,
    ).toBe(404);
    expect(
      (await registry('library/app/blobs/uploads/', pull, 'POST')).status,
    ).toBe(401);
  });
});
