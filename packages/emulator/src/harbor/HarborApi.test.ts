import { startEmulator, type RunningEmulator } from '../index';

const REPORT_MIME =
  'application/vnd.security.vulnerability.report; version=1.1';
const DIGEST_A = `sha256:${'a'.repeat(64)}`;
const DIGEST_B = `sha256:${'b'.repeat(64)}`;

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

interface CallOptions {
  method?: string;
  /** An Authorization header; the admin's when omitted, none when null. */
  auth?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
}

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

describe('emulated Harbor API', () => {
  let emulator: RunningEmulator;
  let admin: string;

  /** Calls `<harbor>/api/v2.0<path>` with plain fetch, as luban does. */
  async function harbor(
    path: string,
    options: CallOptions = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = { ...options.headers };
    const auth = options.auth === undefined ? admin : options.auth;
    if (auth) headers.Authorization = auth;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body =
        typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body);
    }
    const response = await fetch(`${emulator.harbor.url}/api/v2.0${path}`, {
      method: options.method ?? 'GET',
      headers,
      body,
    });
    const text = await response.text();
    const isJson =
      text !== '' &&
      (response.headers.get('content-type') ?? '').startsWith(
        'application/json',
      );
    return {
      status: response.status,
      headers: response.headers,
      text,
      json: isJson ? JSON.parse(text) : undefined,
    };
  }

  async function createProject(
    name: string,
    metadata: Record<string, string> = {},
  ) {
    const answer = await harbor('/projects', {
      method: 'POST',
      body: { project_name: name, metadata },
    });
    expect(answer.status).toBe(201);
    return Number(answer.headers.get('location')!.split('/').pop());
  }

  async function createRobot(
    project: string,
    name: string,
    access: { resource: string; action: string }[],
  ) {
    const answer = await harbor('/robots', {
      method: 'POST',
      body: {
        name,
        description: 'CI pushes',
        level: 'project',
        duration: -1,
        disable: false,
        permissions: [{ kind: 'project', namespace: project, access }],
      },
    });
    expect(answer.status).toBe(201);
    return answer;
  }

  beforeAll(async () => {
    emulator = await startEmulator();
    admin = basic(emulator.harbor.username, emulator.harbor.password);
  });
  afterAll(() => emulator.stop());
  beforeEach(() => emulator.reset());

  it('answers ping and systeminfo without credentials', async () => {
    const ping = await harbor('/ping', { auth: null });
    expect(ping.status).toBe(200);
    expect(ping.text).toBe('Pong');
    expect(ping.headers.get('content-type')).toBe('text/plain');

    const info = await harbor('/systeminfo', { auth: null });
    expect(info.status).toBe(200);
    expect(info.json).toMatchObject({
      harbor_version: 'v2.11.0-emulator',
      auth_mode: 'db_auth',
    });
    expect(info.json.external_url).toBeUndefined();
    expect((await harbor('/systeminfo')).json.external_url).toBe(
      emulator.harbor.url,
    );
  });

  it('creates projects with a Location and refuses duplicates and bad names', async () => {
    const created = await harbor('/projects', {
      method: 'POST',
      body: {
        project_name: 'acme',
        metadata: { public: 'false', auto_scan: 'true' },
        storage_limit: -1,
      },
    });
    expect(created.status).toBe(201);
    expect(created.text).toBe('');
    // `library` exists on a fresh Harbor and holds id 1.
    expect(created.headers.get('location')).toBe('/api/v2.0/projects/2');

    const byName = await harbor('/projects', {
      method: 'POST',
      body: { project_name: 'beta' },
      headers: { 'X-Resource-Name-In-Location': 'true' },
    });
    expect(byName.headers.get('location')).toBe('/api/v2.0/projects/beta');

    const again = await harbor('/projects', {
      method: 'POST',
      body: { project_name: 'acme' },
    });
    expect(again.status).toBe(409);
    expect(again.json).toEqual({
      errors: [
        { code: 'CONFLICT', message: 'The project named acme already exists' },
      ],
    });

    for (const bad of ['Acme', 'acme_', '-acme', 'ac--me', 'a/b', '']) {
      const answer = await harbor('/projects', {
        method: 'POST',
        body: { project_name: bad },
      });
      expect(answer.status).toBe(400);
      expect(answer.json.errors[0].code).toBe('BAD_REQUEST');
    }
    const long = await harbor('/projects', {
      method: 'POST',
      body: { project_name: 'a'.repeat(256) },
    });
    expect(long.status).toBe(422);
    expect(long.json.errors[0]).toEqual({
      code: 'UNPROCESSABLE_ENTITY',
      message: 'project.project_name in body should be at most 255 chars long',
    });
    const boolMetadata = await harbor('/projects', {
      method: 'POST',
      body: { project_name: 'gamma', metadata: { public: true } },
    });
    expect(boolMetadata.status).toBe(400);
    expect(boolMetadata.json.errors[0].message).toContain('of type string');
    const noBody = await harbor('/projects', { method: 'POST' });
    expect(noBody.status).toBe(422);
    expect(noBody.json.errors[0].message).toBe('project in body is required');
  });

  it('tells whether a project exists with HEAD', async () => {
    await createProject('acme');
    const exists = await harbor('/projects?project_name=acme', {
      method: 'HEAD',
    });
    expect(exists.status).toBe(200);
    expect(exists.text).toBe('');
    const missing = await harbor('/projects?project_name=nope', {
      method: 'HEAD',
    });
    expect(missing.status).toBe(404);
    expect(missing.text).toBe('');
    expect(missing.headers.get('x-request-id')).toBeTruthy();
  });

  it('reads a project by name, by id and by a numeric name', async () => {
    const id = await createProject('acme', {
      public: 'false',
      severity: 'high',
      prevent_vul: 'true',
    });
    const byName = await harbor('/projects/acme');
    expect(byName.status).toBe(200);
    expect(byName.json).toMatchObject({
      project_id: id,
      name: 'acme',
      owner_id: 1,
      owner_name: 'admin',
      repo_count: 0,
      metadata: { public: 'false', severity: 'high', prevent_vul: 'true' },
    });
    expect(byName.json.creation_time).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/,
    );
    expect(byName.json.deleted).toBeUndefined();
    expect((await harbor(`/projects/${id}`)).json.name).toBe('acme');

    const numericId = await createProject('123');
    expect((await harbor('/projects/123')).status).toBe(404);
    const numericName = await harbor('/projects/123', {
      headers: { 'X-Is-Resource-Name': 'true' },
    });
    expect(numericName.json.project_id).toBe(numericId);

    const missing = await harbor('/projects/nope');
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({
      errors: [{ code: 'NOT_FOUND', message: 'project nope not found' }],
    });
  });

  it('lists projects page by page with X-Total-Count and Link', async () => {
    for (const name of ['acme', 'beta', 'gamma']) await createProject(name);
    const first = await harbor('/projects?page=1&page_size=2');
    expect(first.headers.get('x-total-count')).toBe('4');
    expect(first.json.map((p: any) => p.name)).toEqual(['acme', 'beta']);
    expect(first.headers.get('link')).toBe(
      '</api/v2.0/projects?page=2&page_size=2>; rel="next"',
    );
    const second = await harbor('/projects?page=2&page_size=2');
    expect(second.json.map((p: any) => p.name)).toEqual(['gamma', 'library']);
    expect(second.headers.get('link')).toBe(
      '</api/v2.0/projects?page=1&page_size=2>; rel="prev"',
    );

    const filtered = await harbor('/projects?name=amm');
    expect(filtered.json.map((p: any) => p.name)).toEqual(['gamma']);
    expect(filtered.headers.get('link')).toBeNull();
    expect((await harbor('/projects?page_size=101')).status).toBe(422);
    expect(
      (await harbor('/projects?q=name%3Dbeta')).json.map((p: any) => p.name),
    ).toEqual(['beta']);
  });

  it('updates metadata and deletes only empty projects', async () => {
    await createProject('acme', { public: 'false' });
    const updated = await harbor('/projects/acme', {
      method: 'PUT',
      headers: { 'X-Is-Resource-Name': 'true' },
      body: { metadata: { auto_scan: 'true' } },
    });
    expect(updated.status).toBe(200);
    expect((await harbor('/projects/acme')).json.metadata).toEqual({
      public: 'false',
      auto_scan: 'true',
    });

    emulator.harbor.api.pushArtifact({
      project: 'acme',
      repository: 'api',
      tags: ['latest'],
    });
    expect((await harbor('/projects/acme')).json.repo_count).toBe(1);
    const refused = await harbor('/projects/acme', { method: 'DELETE' });
    expect(refused.status).toBe(412);
    expect(refused.json).toEqual({
      errors: [
        {
          code: 'PRECONDITION',
          message: 'the project contains repositories, can not be deleted',
        },
      ],
    });
    expect(
      (await harbor('/projects/acme/repositories/api', { method: 'DELETE' }))
        .status,
    ).toBe(200);
    expect((await harbor('/projects/acme', { method: 'DELETE' })).status).toBe(
      200,
    );
    expect((await harbor('/projects/acme')).status).toBe(404);
  });

  it('creates robot accounts whose secret is shown once and can be rotated', async () => {
    const projectId = await createProject('acme');
    const created = await createRobot('acme', 'ci', [
      { resource: 'repository', action: 'pull' },
      { resource: 'repository', action: 'push' },
      { resource: 'artifact', action: 'list' },
      { resource: 'artifact', action: 'read' },
    ]);
    expect(created.json).toMatchObject({
      name: 'robot$acme+ci',
      expires_at: -1,
    });
    expect(created.json.secret).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(created.headers.get('location')).toBe(
      `/api/v2.0/robots/${created.json.id}`,
    );
    const robotAuth = basic('robot$acme+ci', created.json.secret);

    const read = await harbor(`/robots/${created.json.id}`);
    expect(read.json).toMatchObject({
      id: created.json.id,
      name: 'robot$acme+ci',
      level: 'project',
      duration: -1,
      disable: false,
      editable: true,
      permissions: [{ kind: 'project', namespace: 'acme' }],
    });
    expect(read.json.secret).toBeUndefined();
    const listed = await harbor(
      `/robots?q=${encodeURIComponent(`Level=project,ProjectID=${projectId}`)}`,
    );
    expect(listed.headers.get('x-total-count')).toBe('1');
    expect(listed.json[0].secret).toBeUndefined();
    expect(
      (await harbor('/robots?q=Level%3Dproject')).json.errors[0].message,
    ).toBe('must with project ID when to query project robots');

    // The robot reads artifacts of its project, and nothing else.
    expect(
      (
        await harbor('/projects/acme/repositories/api/artifacts', {
          auth: robotAuth,
        })
      ).status,
    ).toBe(200);
    const createAsRobot = await harbor('/projects', {
      method: 'POST',
      auth: robotAuth,
      body: { project_name: 'x' },
    });
    expect(createAsRobot.status).toBe(403);
    expect(createAsRobot.json.errors[0]).toEqual({
      code: 'FORBIDDEN',
      message: 'Only system level robot can create project',
    });
    await createProject('other');
    expect(
      (await harbor('/projects/other/repositories', { auth: robotAuth }))
        .status,
    ).toBe(403);
    expect(
      (await harbor(`/robots/${created.json.id}`, { auth: robotAuth })).status,
    ).toBe(403);

    const rotated = await harbor(`/robots/${created.json.id}`, {
      method: 'PATCH',
      body: {},
    });
    expect(rotated.status).toBe(200);
    expect(rotated.json.secret).toMatch(/^[A-Za-z0-9]{32}$/);
    const stale = await harbor('/projects/acme/repositories/api/artifacts', {
      auth: robotAuth,
    });
    expect(stale.status).toBe(401);
    expect(stale.json).toEqual({
      errors: [{ code: 'UNAUTHORIZED', message: 'unauthorized' }],
    });
    const fresh = basic('robot$acme+ci', rotated.json.secret);
    expect(
      (
        await harbor('/projects/acme/repositories/api/artifacts', {
          auth: fresh,
        })
      ).status,
    ).toBe(200);

    const chosen = await harbor(`/robots/${created.json.id}`, {
      method: 'PATCH',
      body: { secret: 'Chosen1234' },
    });
    expect(chosen.status).toBe(200);
    expect(chosen.json).toEqual({});
    const chosenAuth = basic('robot$acme+ci', 'Chosen1234');
    expect(
      (
        await harbor('/projects/acme/repositories/api/artifacts', {
          auth: chosenAuth,
        })
      ).status,
    ).toBe(200);
    const weak = await harbor(`/robots/${created.json.id}`, {
      method: 'PATCH',
      body: { secret: 'weak' },
    });
    expect(weak.status).toBe(400);

    expect(
      (await harbor(`/robots/${created.json.id}`, { method: 'DELETE' })).status,
    ).toBe(200);
    expect(
      (
        await harbor('/projects/acme/repositories/api/artifacts', {
          auth: chosenAuth,
        })
      ).status,
    ).toBe(401);
    expect((await harbor(`/robots/${created.json.id}`)).status).toBe(404);
  });

  it('validates robot accounts like Harbor', async () => {
    await createProject('acme');
    await createRobot('acme', 'ci', [
      { resource: 'repository', action: 'pull' },
    ]);
    const robot = (
      name: string,
      namespace: string,
      access: unknown[],
      duration = -1,
    ) =>
      harbor('/robots', {
        method: 'POST',
        body: {
          name,
          level: 'project',
          duration,
          permissions: [{ kind: 'project', namespace, access }],
        },
      });
    const duplicate = await robot('ci', 'acme', [
      { resource: 'repository', action: 'pull' },
    ]);
    expect(duplicate.status).toBe(409);
    expect(duplicate.json.errors[0].code).toBe('CONFLICT');
    const unknownAccess = await robot('cd', 'acme', [
      { resource: 'repository', action: 'fly' },
    ]);
    expect(unknownAccess.status).toBe(400);
    expect(unknownAccess.json.errors[0].message).toBe(
      'bad request permission: repository:fly',
    );
    const missingProject = await robot('cd', 'nope', [
      { resource: 'repository', action: 'pull' },
    ]);
    expect(missingProject.status).toBe(404);
    expect(
      (
        await robot('CI+x', 'acme', [
          { resource: 'repository', action: 'pull' },
        ])
      ).status,
    ).toBe(400);
    expect(
      (
        await robot(
          'cd',
          'acme',
          [{ resource: 'repository', action: 'pull' }],
          0,
        )
      ).status,
    ).toBe(400);

    const expiring = await robot(
      'cd',
      'acme',
      [{ resource: 'repository', action: 'pull' }],
      30,
    );
    expect(expiring.status).toBe(201);
    const days = (expiring.json.expires_at - Date.now() / 1000) / 86400;
    expect(Math.round(days)).toBe(30);
  });

  it('lists artifacts with tags, scan overview and SBOM overview after a push', async () => {
    await createProject('acme');
    emulator.harbor.api.pushArtifact({
      project: 'acme',
      repository: 'api',
      digest: DIGEST_A,
      tags: ['latest', 'b1.20260101.120000'],
      vulnerabilities: { Critical: 1, High: 2, Low: 3 },
      sbom: true,
    });
    const list = await harbor(
      '/projects/acme/repositories/api/artifacts?with_tag=true&with_scan_overview=true&with_sbom_overview=true',
    );
    expect(list.status).toBe(200);
    expect(list.headers.get('x-total-count')).toBe('1');
    const [artifact] = list.json;
    expect(artifact).toMatchObject({
      type: 'IMAGE',
      digest: DIGEST_A,
      media_type: 'application/vnd.docker.container.image.v1+json',
      manifest_media_type:
        'application/vnd.docker.distribution.manifest.v2+json',
      repository_name: 'acme/api',
      pull_time: '0001-01-01T00:00:00.000Z',
      labels: null,
      addition_links: {
        vulnerabilities: {
          href: `/api/v2.0/projects/acme/repositories/api/artifacts/${DIGEST_A}/additions/vulnerabilities`,
          absolute: false,
        },
        build_history: {
          href: `/api/v2.0/projects/acme/repositories/api/artifacts/${DIGEST_A}/additions/build_history`,
          absolute: false,
        },
      },
    });
    expect(artifact.tags.map((t: any) => t.name).sort()).toEqual([
      'b1.20260101.120000',
      'latest',
    ]);
    expect(artifact.tags[0]).toEqual({
      id: expect.any(Number),
      name: expect.any(String),
      push_time: expect.any(String),
      pull_time: '0001-01-01T00:00:00.000Z',
      immutable: false,
      repository_id: artifact.repository_id,
      artifact_id: artifact.id,
    });
    expect(artifact.scan_overview[REPORT_MIME]).toMatchObject({
      scan_status: 'Success',
      severity: 'Critical',
      complete_percent: 100,
      scanner: { name: 'Trivy', vendor: 'Aqua Security' },
      summary: {
        total: 6,
        fixable: 6,
        summary: { Critical: 1, High: 2, Low: 3 },
      },
    });
    expect(artifact.sbom_overview).toMatchObject({
      scan_status: 'Success',
      sbom_digest: expect.stringMatching(/^sha256:/),
    });

    const plain = await harbor(
      '/projects/acme/repositories/api/artifacts?with_tag=false',
    );
    expect(plain.json[0].tags).toBeNull();
    expect(plain.json[0].scan_overview).toBeUndefined();
    expect(plain.json[0].sbom_overview).toBeUndefined();

    const report = await harbor(
      `/projects/acme/repositories/api/artifacts/${DIGEST_A}/additions/vulnerabilities`,
    );
    expect(Object.keys(report.json)).toEqual([REPORT_MIME]);
    expect(report.json[REPORT_MIME].vulnerabilities).toHaveLength(6);
    expect(report.json[REPORT_MIME].severity).toBe('Critical');

    expect(
      (await harbor('/projects/acme/repositories/nope/artifacts')).json,
    ).toEqual([]);
  });

  it('moves a tag to the newly pushed artifact and finds artifacts by tag or digest', async () => {
    await createProject('acme');
    const { api } = emulator.harbor;
    api.pushArtifact({
      project: 'acme',
      repository: 'api',
      digest: DIGEST_A,
      tags: ['latest', 'v1'],
    });
    api.pushArtifact({
      project: 'acme',
      repository: 'api',
      digest: DIGEST_B,
      tags: ['latest'],
    });
    expect(api.hasArtifact('acme', 'api', DIGEST_A)).toBe(true);
    expect(api.hasArtifact('acme', 'api', 'nope')).toBe(false);

    const latest = await harbor(
      '/projects/acme/repositories/api/artifacts/latest',
    );
    expect(latest.json.digest).toBe(DIGEST_B);
    const old = await harbor(
      `/projects/acme/repositories/api/artifacts/${DIGEST_A}`,
    );
    expect(old.json.tags.map((t: any) => t.name)).toEqual(['v1']);
    expect(old.json.scan_overview).toBeUndefined();

    const tags = await harbor(
      `/projects/acme/repositories/api/artifacts/${DIGEST_B}/tags`,
    );
    expect(tags.headers.get('x-total-count')).toBe('1');
    expect(tags.json.map((t: any) => t.name)).toEqual(['latest']);

    api.setScanResult('acme', 'api', DIGEST_A, { High: 1 });
    const scanned = await harbor(
      `/projects/acme/repositories/api/artifacts/${DIGEST_A}?with_scan_overview=true`,
    );
    expect(scanned.json.scan_overview[REPORT_MIME].severity).toBe('High');

    const missingTag = await harbor(
      '/projects/acme/repositories/api/artifacts/v9',
    );
    expect(missingTag.status).toBe(404);
    expect(missingTag.json).toEqual({
      errors: [
        { code: 'NOT_FOUND', message: 'artifact acme/api:v9 not found' },
      ],
    });
    const missingDigest = await harbor(
      `/projects/acme/repositories/api/artifacts/sha256:${'c'.repeat(64)}`,
    );
    expect(missingDigest.status).toBe(404);
  });

  it('expects repository names with a slash encoded twice', async () => {
    await createProject('acme');
    emulator.harbor.api.pushArtifact({
      project: 'acme',
      repository: 'team/api',
      digest: DIGEST_A,
      tags: ['latest'],
    });
    const encoded = encodeURIComponent(encodeURIComponent('team/api'));
    expect(encoded).toBe('team%252Fapi');

    const list = await harbor(
      `/projects/acme/repositories/${encoded}/artifacts`,
    );
    expect(list.status).toBe(200);
    expect(list.json[0].repository_name).toBe('acme/team/api');
    expect(list.json[0].addition_links.build_history.href).toBe(
      `/api/v2.0/projects/acme/repositories/team%252Fapi/artifacts/${DIGEST_A}/additions/build_history`,
    );
    expect(
      (await harbor(`/projects/acme/repositories/${encoded}`)).json.name,
    ).toBe('acme/team/api');
    // Encoded once, Harbor's nginx turns the %2F back into a path separator.
    expect(
      (
        await harbor(
          `/projects/acme/repositories/${encodeURIComponent(
            'team/api',
          )}/artifacts`,
        )
      ).status,
    ).toBe(404);
    const repositories = await harbor('/projects/acme/repositories');
    expect(repositories.headers.get('x-total-count')).toBe('1');
    expect(repositories.json[0]).toMatchObject({
      name: 'acme/team/api',
      artifact_count: 1,
      pull_count: 0,
    });
  });

  it('pages artifacts newest first', async () => {
    await createProject('acme');
    for (let index = 0; index < 3; index += 1) {
      emulator.harbor.api.pushArtifact({
        project: 'acme',
        repository: 'team/api',
        tags: [`v${index}`],
        pushedAt: new Date(Date.UTC(2026, 0, 1 + index)),
      });
    }
    const path = '/projects/acme/repositories/team%252Fapi/artifacts';
    const first = await harbor(`${path}?with_tag=true&page_size=2`);
    expect(first.headers.get('x-total-count')).toBe('3');
    expect(first.json.map((a: any) => a.tags[0].name)).toEqual(['v2', 'v1']);
    expect(first.headers.get('link')).toBe(
      `</api/v2.0${path}?page=2&page_size=2&with_tag=true>; rel="next"`,
    );
    const second = await harbor(`${path}?with_tag=true&page=2&page_size=2`);
    expect(second.json.map((a: any) => a.tags[0].name)).toEqual(['v0']);
    expect(second.headers.get('link')).toBe(
      `</api/v2.0${path}?page=1&page_size=2&with_tag=true>; rel="prev"`,
    );
    expect(
      (await harbor(`${path}?q=${encodeURIComponent('tags=v1')}`)).json,
    ).toHaveLength(1);
  });

  it('answers 401 without valid credentials, except for public projects', async () => {
    await createProject('acme');
    for (const auth of [
      null,
      basic('admin', 'wrong'),
      basic('robot$acme+ghost', 'Secret123'),
    ]) {
      const answer = await harbor('/projects/acme', { auth });
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual({
        errors: [{ code: 'UNAUTHORIZED', message: 'unauthorized' }],
      });
      expect(answer.headers.get('content-type')).toContain('application/json');
    }
    const create = await harbor('/projects', {
      method: 'POST',
      auth: null,
      body: { project_name: 'x' },
    });
    expect(create.status).toBe(401);
    expect((await harbor('/robots', { auth: null })).status).toBe(401);

    expect((await harbor('/projects/library', { auth: null })).status).toBe(
      200,
    );
    const anonymousList = await harbor('/projects', { auth: null });
    expect(anonymousList.json.map((p: any) => p.name)).toEqual(['library']);
  });

  it('answers unknown paths and methods in Harbor error format', async () => {
    const unknown = await harbor('/nothing');
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({
      errors: [
        { code: 'NOT_FOUND', message: 'path /api/v2.0/nothing was not found' },
      ],
    });
    const method = await harbor('/projects', { method: 'DELETE' });
    expect(method.status).toBe(405);
    expect(method.json.errors[0].code).toBe('METHOD_NOT_ALLOWED');
    expect(method.headers.get('allow')).toBe('GET,HEAD,POST');
  });

  it('gives every response an X-Request-Id and logs each request once with its status', async () => {
    await emulator.reset();
    const answers = [
      await harbor('/ping', { auth: null }),
      await harbor('/projects', {
        method: 'POST',
        body: { project_name: 'acme' },
      }),
      await harbor('/projects', {
        method: 'POST',
        body: { project_name: 'acme' },
      }),
      await harbor('/projects?project_name=acme', { method: 'HEAD' }),
      await harbor('/projects/acme', { auth: null }),
      await harbor('/projects/acme', {
        headers: { 'X-Request-Id': 'trace-42' },
      }),
    ];
    const ids = answers.map(a => a.headers.get('x-request-id'));
    expect(ids.every(Boolean)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[5]).toBe('trace-42');

    const log = emulator.requests.entries('harbor');
    expect(log.map(r => [r.method, r.path, r.status])).toEqual([
      ['GET', '/api/v2.0/ping', 200],
      ['POST', '/api/v2.0/projects', 201],
      ['POST', '/api/v2.0/projects', 409],
      ['HEAD', '/api/v2.0/projects?project_name=acme', 200],
      ['GET', '/api/v2.0/projects/acme', 401],
      ['GET', '/api/v2.0/projects/acme', 200],
    ]);
  });

  it('seeds through the programmatic API and resets to a fresh install', async () => {
    const { api } = emulator.harbor;
    expect(api.projectNames()).toEqual(['library']);
    expect(() =>
      api.pushArtifact({
        project: 'nope',
        repository: 'api',
        tags: ['latest'],
      }),
    ).toThrow('project nope not found');
    api.createProject('acme', { auto_scan: 'true' });
    const pushed = api.pushArtifact({
      project: 'acme',
      repository: 'api',
      tags: ['latest'],
    });
    expect(pushed.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(pushed.repositoryName).toBe('acme/api');
    expect(() =>
      api.pushArtifact({
        project: 'acme',
        repository: 'Api',
        tags: ['latest'],
      }),
    ).toThrow('invalid repository name Api');
    expect(() =>
      api.pushArtifact({ project: 'acme', repository: 'api', tags: ['-bad'] }),
    ).toThrow('invalid tag -bad');
    // auto_scan scans every push, so the artifact has a (clean) report.
    const artifact = await harbor(
      `/projects/acme/repositories/api/artifacts/${pushed.digest}?with_scan_overview=true`,
    );
    expect(artifact.json.scan_overview[REPORT_MIME]).toMatchObject({
      severity: 'None',
      summary: { total: 0 },
    });

    await emulator.reset();
    expect(api.projectNames()).toEqual(['library']);
    expect(api.hasArtifact('acme', 'api', 'latest')).toBe(false);
  });
});
