import { inflateRawSync } from 'node:zlib';
import { WebApi, getPersonalAccessTokenHandler } from 'azure-devops-node-api';
import type { IGitApi } from 'azure-devops-node-api/GitApi';
import type { ICoreApi } from 'azure-devops-node-api/CoreApi';
import {
  GitVersionType,
  ItemContentType,
  PullRequestAsyncStatus,
  PullRequestStatus,
  VersionControlChangeType,
  VersionControlRecursionType,
  type GitPush,
} from 'azure-devops-node-api/interfaces/GitInterfaces';
import {
  startEmulator,
  trustEmulatorCertificate,
  ZERO_SHA,
  type RunningEmulator,
} from '../index';

/** The error a client call rejects with (statusCode, the service's error body). */
async function failureOf(
  call: Promise<unknown>,
): Promise<{ statusCode: number; message: string; result: any }> {
  try {
    await call;
  } catch (error: any) {
    return {
      statusCode: error.statusCode,
      message: error.message,
      result: error.result,
    };
  }
  throw new Error('expected the call to fail');
}

function addFile(path: string, content: string) {
  return {
    changeType: VersionControlChangeType.Add,
    item: { path },
    newContent: { content, contentType: ItemContentType.RawText },
  };
}

function editFile(path: string, content: string) {
  return {
    ...addFile(path, content),
    changeType: VersionControlChangeType.Edit,
  };
}

function push(
  ref: string,
  oldObjectId: string,
  comment: string,
  changes: object[],
): GitPush {
  return {
    refUpdates: [{ name: ref, oldObjectId }],
    commits: [{ comment, changes }],
  } as GitPush;
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

describe('emulated Azure DevOps REST API', () => {
  let emulator: RunningEmulator;
  let git: IGitApi;
  let core: ICoreApi;
  let host: string;

  beforeAll(async () => {
    emulator = await startEmulator();
    trustEmulatorCertificate(emulator.kubernetes.caCert);
    const connection = new WebApi(
      emulator.azure.organizationUrl,
      getPersonalAccessTokenHandler(emulator.token),
    );
    git = await connection.getGitApi();
    core = await connection.getCoreApi();
    host = new URL(emulator.azure.url).host;
  });
  afterAll(() => emulator.stop());
  beforeEach(() => emulator.reset());

  const auth = () => ({
    Authorization: `Basic ${Buffer.from(`:${emulator.token}`).toString(
      'base64',
    )}`,
  });

  /** Creates a repository with `/apps/api.yaml` on main; returns its id and the commit. */
  async function repositoryWithFile(name = 'gitops') {
    const repository = await git.createRepository({ name }, 'platform');
    const pushed = await git.createPush(
      push('refs/heads/main', ZERO_SHA, 'Add the api app', [
        addFile('/apps/api.yaml', 'replicas: 1\n'),
      ]),
      repository.id!,
      'platform',
    );
    return { id: repository.id!, first: pushed.refUpdates![0].newObjectId! };
  }

  it('discovers resource locations and serves the platform project', async () => {
    const projects = await core.getProjects();
    expect(projects.map(p => p.name)).toEqual(['platform']);
    const project = await core.getProject('platform', true);
    expect(project).toMatchObject({
      id: projects[0].id,
      name: 'platform',
      state: 'wellFormed',
      visibility: 0,
    });
    expect(project.capabilities?.versioncontrol?.sourceControlType).toBe('Git');
    // A 404 resolves to null in the client.
    expect(await core.getProject('missing')).toBeNull();

    const response = await fetch(
      `${emulator.azure.organizationUrl}/_apis/projects/missing?api-version=7.1`,
      {
        headers: auth(),
      },
    );
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({
      message: expect.stringMatching(
        /^TF200016: The following project does not exist: missing\./,
      ),
      typeKey: 'ProjectDoesNotExistWithNameException',
      errorCode: 0,
      eventId: 3000,
    });

    const options = await fetch(`${emulator.azure.organizationUrl}/_apis/git`, {
      method: 'OPTIONS',
      headers: auth(),
    });
    const locations = (await options.json()).value;
    expect(locations).toContainEqual(
      expect.objectContaining({
        id: '225f7195-f9c7-4d14-ab28-a83f7ff77e1f',
        area: 'git',
        resourceName: 'repositories',
        routeTemplate: '{project}/_apis/{area}/{resource}/{repositoryId}',
        maxVersion: '7.2',
        releasedVersion: '7.1',
      }),
    );
  });

  it('queues project creation and gives the project its default repository', async () => {
    const operation = await core.queueCreateProject({
      name: 'payments',
      description: 'Payments team',
      visibility: 0,
      capabilities: {
        versioncontrol: { sourceControlType: 'Git' },
        processTemplate: {
          templateTypeId: 'adcc42ab-9882-485e-a3ed-7678f01f66bc',
        },
      },
    } as any);
    expect(operation.status).toBe(1); // queued
    const polled = await fetch(`${operation.url}?api-version=7.1`, {
      headers: auth(),
    });
    expect((await polled.json()).status).toBe('succeeded');
    expect((await core.getProjects()).map(p => p.name)).toEqual([
      'payments',
      'platform',
    ]);
    expect((await git.getRepositories('payments')).map(r => r.name)).toEqual([
      'payments',
    ]);

    const duplicate = await failureOf(
      core.queueCreateProject({
        name: 'payments',
        capabilities: {
          versioncontrol: { sourceControlType: 'Git' },
          processTemplate: {
            templateTypeId: 'adcc42ab-9882-485e-a3ed-7678f01f66bc',
          },
        },
      } as any),
    );
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.result.typeKey).toBe('ProjectAlreadyExistsException');
    expect(
      (await failureOf(core.queueCreateProject({ name: 'incomplete' } as any)))
        .statusCode,
    ).toBe(400);
  });

  it('creates repositories, refuses duplicates and resolves a missing one to null', async () => {
    const created = await git.createRepository({ name: 'gitops' }, 'platform');
    expect(created.id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    expect(created).toMatchObject({
      name: 'gitops',
      remoteUrl: `https://luban@${host}/luban/platform/_git/gitops`,
      webUrl: `${emulator.azure.url}/luban/platform/_git/gitops`,
      size: 0,
      isDisabled: false,
      project: { name: 'platform' },
    });
    expect(created.defaultBranch).toBeUndefined();
    const empty = await fetch(
      `${emulator.azure.organizationUrl}/platform/_apis/git/repositories/${created.id}/items?path=/README.md&api-version=7.1`,
      { headers: auth() },
    );
    expect(empty.status).toBe(404);
    expect((await empty.json()).typeKey).toBe('GitItemNotFoundException');
    expect(await emulator.git.exists('azure/luban/platform/gitops.git')).toBe(
      true,
    );

    const duplicate = await failureOf(
      git.createRepository({ name: 'gitops' }, 'platform'),
    );
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.message).toBe(
      'TF400948: A Git repository with the name gitops already exists.',
    );
    expect(duplicate.result).toMatchObject({
      typeKey: 'GitRepositoryNameAlreadyExistsException',
      $id: '1',
    });

    expect(await git.getRepository('missing', 'platform')).toBeNull();
    expect((await git.getRepository('GITOPS', 'platform')).id).toBe(created.id);
    expect((await git.getRepository(created.id!)).name).toBe('gitops');
    expect((await git.getRepositories('platform')).map(r => r.name)).toEqual([
      'gitops',
      'platform',
    ]);
    expect(
      await git.createRepository({ name: 'orphan' }, 'no-such-project'),
    ).toBeNull();

    const renamed = await git.updateRepository(
      { name: 'deploy' } as any,
      created.id!,
      'platform',
    );
    expect(renamed.remoteUrl).toBe(
      `https://luban@${host}/luban/platform/_git/deploy`,
    );
    await git.deleteRepository(created.id!, 'platform');
    expect(await git.getRepository(created.id!, 'platform')).toBeNull();
  });

  it('pushes commits with compare-and-set on the branch and rejects stale and invalid changes', async () => {
    const repository = await git.createRepository(
      { name: 'gitops' },
      'platform',
    );
    const id = repository.id!;
    const first = await git.createPush(
      push('refs/heads/main', ZERO_SHA, 'Add the api app', [
        addFile('/apps/api.yaml', 'replicas: 1\n'),
      ]),
      id,
      'platform',
    );
    expect(first.pushId).toBe(1);
    expect(first.refUpdates![0]).toMatchObject({
      name: 'refs/heads/main',
      oldObjectId: ZERO_SHA,
    });
    expect(first.commits![0]).toMatchObject({
      comment: 'Add the api app',
      commitId: first.refUpdates![0].newObjectId,
    });
    expect((await git.getRepository(id, 'platform')).defaultBranch).toBe(
      'refs/heads/main',
    );

    const refs = await git.getRefs(id, 'platform', 'heads/main');
    expect(refs).toEqual([
      expect.objectContaining({
        name: 'refs/heads/main',
        objectId: first.refUpdates![0].newObjectId,
      }),
    ]);

    const second = await git.createPush(
      push(
        'refs/heads/main',
        first.refUpdates![0].newObjectId!,
        'Scale the api',
        [editFile('/apps/api.yaml', 'replicas: 2\n')],
      ),
      id,
      'platform',
    );
    expect(second.pushId).toBe(2);
    expect(second.refUpdates![0].oldObjectId).toBe(
      first.refUpdates![0].newObjectId,
    );

    const stale = await failureOf(
      git.createPush(
        push(
          'refs/heads/main',
          first.refUpdates![0].newObjectId!,
          'Lost update',
          [editFile('/apps/api.yaml', 'replicas: 3\n')],
        ),
        id,
        'platform',
      ),
    );
    expect(stale.statusCode).toBe(409);
    expect(stale.message).toBe(
      "TF401028: The reference 'refs/heads/main' has already been updated by another client, so you cannot update it. Please try again.",
    );
    expect(stale.result.typeKey).toBe('GitReferenceStaleException');

    const head = second.refUpdates![0].newObjectId!;
    const addExisting = await failureOf(
      git.createPush(
        push('refs/heads/main', head, 'Again', [
          addFile('/apps/api.yaml', 'x'),
        ]),
        id,
        'platform',
      ),
    );
    expect(addExisting.statusCode).toBe(400);
    expect(addExisting.message).toMatch(
      /^The path '\/apps\/api.yaml' specified in the add operation already exists\. Please specify a new path\./,
    );
    const editMissing = await failureOf(
      git.createPush(
        push('refs/heads/main', head, 'Edit', [
          editFile('/apps/none.yaml', 'x'),
        ]),
        id,
        'platform',
      ),
    );
    expect(editMissing.statusCode).toBe(400);
    expect(editMissing.result.typeKey).toBe('InvalidArgumentValueException');

    // A new branch starts at the commit named by oldObjectId.
    const feature = await git.createPush(
      push('refs/heads/feature', head, 'Add the web app', [
        addFile('/apps/web.yaml', 'replicas: 1\n'),
      ]),
      id,
      'platform',
    );
    expect(feature.refUpdates![0].oldObjectId).toBe(ZERO_SHA);
    const commit = await git.getCommit(
      feature.refUpdates![0].newObjectId!,
      id,
      'platform',
    );
    expect(commit.parents).toEqual([head]);
    expect(commit.push?.pushId).toBe(feature.pushId);
    // Or at the commit's single parent, with oldObjectId zeros for the new ref.
    const hotfix = await git.createPush(
      {
        refUpdates: [{ name: 'refs/heads/hotfix', oldObjectId: ZERO_SHA }],
        commits: [
          {
            comment: 'Fix',
            parents: [head],
            changes: [addFile('/fix.txt', 'x')],
          },
        ],
      } as GitPush,
      id,
      'platform',
    );
    expect(
      (await git.getCommit(hotfix.refUpdates![0].newObjectId!, id, 'platform'))
        .parents,
    ).toEqual([head]);
    expect((await git.getRepository(id, 'platform')).defaultBranch).toBe(
      'refs/heads/main',
    );
  });

  it('updates refs with compare-and-set results per ref', async () => {
    const { id, first } = await repositoryWithFile();
    const results = await git.updateRefs(
      [
        {
          name: 'refs/heads/release',
          oldObjectId: ZERO_SHA,
          newObjectId: first,
        },
        { name: 'refs/heads/main', oldObjectId: ZERO_SHA, newObjectId: first },
        {
          name: 'refs/heads/ghost',
          oldObjectId: ZERO_SHA,
          newObjectId: 'f'.repeat(40),
        },
      ] as any,
      id,
      'platform',
    );
    expect(results.map(r => [r.name, r.success, r.updateStatus])).toEqual([
      ['refs/heads/release', true, 0],
      ['refs/heads/main', false, 2],
      ['refs/heads/ghost', false, 5],
    ]);
    expect(
      (await git.getRefs(id, 'platform', 'heads/')).map(r => r.name),
    ).toEqual(['refs/heads/main', 'refs/heads/release']);
  });

  it('reads items and folders at a version, with a 404 for a missing item', async () => {
    const { id, first } = await repositoryWithFile();
    const main = { version: 'main', versionType: GitVersionType.Branch };
    const item = await git.getItem(
      id,
      '/apps/api.yaml',
      'platform',
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      main,
      true,
    );
    expect(item).toMatchObject({
      path: '/apps/api.yaml',
      content: 'replicas: 1\n',
      commitId: first,
      gitObjectType: 3,
    });

    const byCommit = await git.getItem(
      id,
      '/apps/api.yaml',
      'platform',
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      {
        version: first,
        versionType: GitVersionType.Commit,
      },
    );
    expect(byCommit.objectId).toBe(item.objectId);
    expect(byCommit.content).toBeUndefined();

    expect(
      await git.getItem(
        id,
        '/apps/none.yaml',
        'platform',
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        main,
      ),
    ).toBeNull();
    const missing = await fetch(
      `${emulator.azure.organizationUrl}/platform/_apis/git/repositories/${id}/items?path=/apps/none.yaml&api-version=7.1`,
      { headers: { ...auth(), Accept: 'application/json' } },
    );
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({
      message: `TF401174: The item '/apps/none.yaml' could not be found in the repository 'gitops' at the version specified by '<Branch: main >' (resolved to commit '${first}').`,
      typeKey: 'GitItemNotFoundException',
    });
    expect(
      await git.getItems(
        id,
        'platform',
        '/',
        VersionControlRecursionType.OneLevel,
        false,
        false,
        false,
        false,
        {
          version: 'nope',
          versionType: GitVersionType.Branch,
        },
      ),
    ).toBeNull();
    const unknownBranch = await fetch(
      `${emulator.azure.organizationUrl}/platform/_apis/git/repositories/${id}/items?scopePath=/&versionDescriptor.version=nope&api-version=7.1`,
      { headers: auth() },
    );
    expect(unknownBranch.status).toBe(404);
    expect(await unknownBranch.json()).toMatchObject({
      message:
        'TF401175:The version descriptor <Branch: nope > could not be resolved to a version in the repository gitops',
      typeKey: 'GitUnresolvableToCommitException',
    });
    const content = await git.getItemContent(
      id,
      '/apps/api.yaml',
      'platform',
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      main,
    );
    expect(await readStream(content)).toBe('replicas: 1\n');

    const folder = await git.getItems(
      id,
      'platform',
      '/',
      VersionControlRecursionType.Full,
      false,
      false,
      false,
      false,
      main,
    );
    expect(folder.map(i => [i.path, i.isFolder ?? false])).toEqual([
      ['/', true],
      ['/apps', true],
      ['/apps/api.yaml', false],
    ]);
    const oneLevel = await git.getItems(
      id,
      'platform',
      '/apps',
      VersionControlRecursionType.OneLevel,
    );
    expect(oneLevel.map(i => i.path)).toEqual(['/apps', '/apps/api.yaml']);

    const recursiveSingle = await fetch(
      `${emulator.azure.organizationUrl}/platform/_apis/git/repositories/${id}/items?path=/apps&recursionLevel=Full&api-version=7.1`,
      { headers: auth() },
    );
    expect(recursiveSingle.status).toBe(400);
    expect((await recursiveSingle.json()).message).toMatch(
      /^Cannot specify a "recursionLevel" other than "None"/,
    );

    const zip = await fetch(
      `${emulator.azure.organizationUrl}/platform/_apis/git/repositories/${id}/items?scopePath=/apps&$format=zip&api-version=7.1`,
      { headers: auth() },
    );
    expect(zip.status).toBe(200);
    expect(zip.headers.get('content-disposition')).toMatch(
      /^attachment; filename=apps\.zip/,
    );
    const archive = Buffer.from(await zip.arrayBuffer());
    expect(archive.readUInt32LE(0)).toBe(0x04034b50);
    const nameLength = archive.readUInt16LE(26);
    expect(archive.subarray(30, 30 + nameLength).toString()).toBe(
      'apps/api.yaml',
    );
    const compressed = archive.subarray(
      30 + nameLength,
      30 + nameLength + archive.readUInt32LE(18),
    );
    expect(inflateRawSync(compressed).toString()).toBe('replicas: 1\n');
  });

  it('answers item reads with an ETag and 304 when it still matches', async () => {
    const { id } = await repositoryWithFile();
    const url = `${emulator.azure.organizationUrl}/platform/_apis/git/repositories/${id}/items?path=/apps/api.yaml&versionDescriptor.version=main&versionDescriptor.versionType=branch&api-version=7.1`;
    const raw = await fetch(url, {
      headers: { ...auth(), Accept: 'application/octet-stream' },
    });
    expect(raw.status).toBe(200);
    expect(raw.headers.get('content-type')).toBe(
      'application/octet-stream; api-version=7.1',
    );
    expect(await raw.text()).toBe('replicas: 1\n');
    const etag = raw.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{40}"$/);
    const again = await fetch(url, {
      headers: {
        ...auth(),
        Accept: 'application/octet-stream',
        'If-None-Match': etag,
      },
    });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');

    const json = await fetch(`${url}&includeContent=true`, {
      headers: { ...auth(), Accept: 'application/json' },
    });
    const jsonEtag = json.headers.get('etag')!;
    expect((await json.json()).content).toBe('replicas: 1\n');
    const notModified = await fetch(`${url}&includeContent=true`, {
      headers: {
        ...auth(),
        Accept: 'application/json',
        'If-None-Match': jsonEtag,
      },
    });
    expect(notModified.status).toBe(304);
  });

  // learn.microsoft.com "Items - Get" (Git REST 7.1) documents no ETag: a test can take it away, or make it never change.
  it('sends no item ETag, or a constant one it answers 304 to, when told to', async () => {
    const { id } = await repositoryWithFile();
    const url = `${emulator.azure.organizationUrl}/platform/_apis/git/repositories/${id}/items?path=/apps/api.yaml&versionDescriptor.version=main&versionDescriptor.versionType=branch&includeContent=true&api-version=7.1`;
    const read = (etag?: string) =>
      fetch(url, { headers: { ...auth(), Accept: 'application/json', ...(etag ? { 'If-None-Match': etag } : {}) } });
    try {
      emulator.azure.api.setItemEtags('none');
      const plain = await read('*');
      expect([plain.status, plain.headers.get('etag')]).toEqual([200, null]);

      emulator.azure.api.setItemEtags('constant');
      const constant = await read();
      expect(constant.headers.get('etag')).toBe('"0"');
      expect((await read('"0"')).status).toBe(304);
    } finally {
      emulator.azure.api.setItemEtags('content');
    }
  });

  it('lists the history of a file, newest first', async () => {
    const { id, first } = await repositoryWithFile();
    const second = await git.createPush(
      push('refs/heads/main', first, 'Scale the api', [
        editFile('/apps/api.yaml', 'replicas: 2\n'),
      ]),
      id,
      'platform',
    );
    await git.createPush(
      push(
        'refs/heads/main',
        second.refUpdates![0].newObjectId!,
        'Add the web app',
        [addFile('/apps/web.yaml', 'a')],
      ),
      id,
      'platform',
    );
    const history = await git.getCommits(
      id,
      {
        itemVersion: { version: 'main', versionType: GitVersionType.Branch },
        itemPath: '/apps/api.yaml',
      } as any,
      'platform',
    );
    expect(history.map(c => c.comment)).toEqual([
      'Scale the api',
      'Add the api app',
    ]);
    expect(history[1]).toMatchObject({
      commitId: first,
      author: { name: 'Luban Emulator', email: 'emulator@luban.invalid' },
    });
    const latest = await git.getCommits(id, { $top: 1 } as any, 'platform');
    expect(latest.map(c => c.comment)).toEqual(['Add the web app']);
  });

  it('opens, finds and completes pull requests, merging into the target branch', async () => {
    const { id, first } = await repositoryWithFile();
    const feature = await git.createPush(
      push('refs/heads/feature', first, 'Add the web app', [
        addFile('/apps/web.yaml', 'replicas: 1\n'),
      ]),
      id,
      'platform',
    );
    const created = await git.createPullRequest(
      {
        sourceRefName: 'refs/heads/feature',
        targetRefName: 'refs/heads/main',
        title: 'Add web',
        description: 'Adds the web app',
      },
      id,
      'platform',
    );
    expect(created).toMatchObject({
      pullRequestId: 1,
      codeReviewId: 1,
      status: PullRequestStatus.Active,
      mergeStatus: PullRequestAsyncStatus.Queued,
      isDraft: false,
      lastMergeSourceCommit: { commitId: feature.refUpdates![0].newObjectId },
      lastMergeTargetCommit: { commitId: first },
      createdBy: { displayName: 'Luban Emulator' },
    });

    const duplicate = await failureOf(
      git.createPullRequest(
        {
          sourceRefName: 'refs/heads/feature',
          targetRefName: 'refs/heads/main',
          title: 'Again',
        },
        id,
        'platform',
      ),
    );
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.message).toBe(
      'TF401179: An active pull request for the source and target branch already exists.',
    );
    const missingBranch = await failureOf(
      git.createPullRequest(
        {
          sourceRefName: 'refs/heads/nope',
          targetRefName: 'refs/heads/main',
          title: 'x',
        },
        id,
        'platform',
      ),
    );
    expect(missingBranch.statusCode).toBe(400);
    expect(missingBranch.message).toMatch(/^TF401398:/);

    const found = await git.getPullRequests(
      id,
      {
        sourceRefName: 'refs/heads/feature',
        targetRefName: 'refs/heads/main',
        status: PullRequestStatus.Active,
      },
      'platform',
    );
    expect(found.map(p => [p.pullRequestId, p.mergeStatus])).toEqual([
      [1, PullRequestAsyncStatus.Succeeded],
    ]);
    expect(
      await git.getPullRequests(
        id,
        { targetRefName: 'refs/heads/other' },
        'platform',
      ),
    ).toEqual([]);
    expect((await git.getPullRequestById(1, 'platform')).title).toBe('Add web');

    const stale = await failureOf(
      git.updatePullRequest(
        {
          status: PullRequestStatus.Completed,
          lastMergeSourceCommit: { commitId: first },
        },
        id,
        1,
        'platform',
      ),
    );
    expect(stale.statusCode).toBe(409);

    const completed = await git.updatePullRequest(
      {
        status: PullRequestStatus.Completed,
        lastMergeSourceCommit: created.lastMergeSourceCommit,
      },
      id,
      1,
      'platform',
    );
    expect(completed).toMatchObject({
      status: PullRequestStatus.Completed,
      mergeStatus: PullRequestAsyncStatus.Succeeded,
    });
    expect(completed.closedDate).toBeInstanceOf(Date);
    const mergeCommit = await git.getCommit(
      completed.lastMergeCommit!.commitId!,
      id,
      'platform',
    );
    expect(mergeCommit.comment).toBe(
      'Merged PR 1: Add web\n\nAdds the web app',
    );
    expect(mergeCommit.parents).toEqual([
      first,
      feature.refUpdates![0].newObjectId,
    ]);
    const web = await git.getItem(
      id,
      '/apps/web.yaml',
      'platform',
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      {
        version: 'main',
        versionType: GitVersionType.Branch,
      },
      true,
    );
    expect(web.content).toBe('replicas: 1\n');

    expect(
      await git.getPullRequests(
        id,
        { status: PullRequestStatus.Active },
        'platform',
      ),
    ).toEqual([]);
    const all = await git.getPullRequests(
      id,
      { status: PullRequestStatus.All },
      'platform',
    );
    expect(all.map(p => p.status)).toEqual([PullRequestStatus.Completed]);

    const reopened = await git.createPullRequest(
      {
        sourceRefName: 'refs/heads/feature',
        targetRefName: 'refs/heads/main',
        title: 'Again',
      },
      id,
      'platform',
    );
    const abandoned = await git.updatePullRequest(
      { status: PullRequestStatus.Abandoned },
      id,
      reopened.pullRequestId!,
      'platform',
    );
    expect(abandoned.status).toBe(PullRequestStatus.Abandoned);
  });

  it('checks the api-version like the service', async () => {
    const base = `${emulator.azure.organizationUrl}/platform/_apis/git/repositories`;
    const post = await fetch(base, {
      method: 'POST',
      headers: { ...auth(), 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'x' }),
    });
    expect(post.status).toBe(400);
    expect(await post.json()).toEqual({
      $id: '1',
      innerException: null,
      message:
        'No api-version was supplied for the "POST" request. The version must be supplied either as part of the Accept header (e.g. "application/json; api-version=1.0") or as a query parameter (e.g. \'?api-version=1.0\').',
      typeName:
        'Microsoft.VisualStudio.Services.WebApi.VssVersionNotSpecifiedException, Microsoft.VisualStudio.Services.WebApi',
      typeKey: 'VssVersionNotSpecifiedException',
      errorCode: 0,
      eventId: 3000,
    });

    // A GET without a version is served at the latest released one, which the Content-Type names.
    const unversioned = await fetch(base, { headers: auth() });
    expect(unversioned.status).toBe(200);
    expect(unversioned.headers.get('content-type')).toBe(
      'application/json; charset=utf-8; api-version=7.1',
    );

    const tooNew = await fetch(`${base}?api-version=9.0`, { headers: auth() });
    expect(tooNew.status).toBe(400);
    expect(await tooNew.json()).toMatchObject({
      message:
        'The requested REST API version of 9.0 is out of range for this server. The latest REST API version this server supports is 7.2.',
      typeKey: 'VssVersionOutOfRangeException',
    });
    const preview = await fetch(`${base}?api-version=7.2`, { headers: auth() });
    expect((await preview.json()).typeKey).toBe(
      'VssInvalidPreviewVersionException',
    );
    const viaAccept = await fetch(base, {
      headers: {
        ...auth(),
        Accept: 'application/json;api-version=7.2-preview.2',
      },
    });
    expect(viaAccept.headers.get('content-type')).toBe(
      'application/json; charset=utf-8; api-version=7.2-preview.2',
    );
  });

  it('requires a valid PAT and knows only its organizations', async () => {
    const url = `${emulator.azure.organizationUrl}/_apis/projects?api-version=7.1`;
    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain(
      `Basic realm="${emulator.azure.url}/"`,
    );
    const badPat = await fetch(url, {
      headers: {
        Authorization: `Basic ${Buffer.from(':wrong').toString('base64')}`,
      },
    });
    expect(badPat.status).toBe(401);
    const bearer = await fetch(url, {
      headers: { Authorization: `Bearer ${emulator.token}` },
    });
    expect(bearer.status).toBe(200);

    const wrong = new WebApi(
      emulator.azure.organizationUrl,
      getPersonalAccessTokenHandler('wrong'),
    );
    expect((await failureOf(wrong.getGitApi())).statusCode).toBe(401);
    const unknown = await fetch(
      `${emulator.azure.url}/nobody/_apis/projects?api-version=7.1`,
      { headers: auth() },
    );
    expect(unknown.status).toBe(404);

    expect(
      emulator.requests
        .entries('azure')
        .some(
          r => r.path.startsWith('/luban/_apis/projects') && r.status === 401,
        ),
    ).toBe(true);
  });
});
