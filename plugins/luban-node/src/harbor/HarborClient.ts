import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { networkErrorMessage, upstreamError } from '../errors';
import { SCAN_REPORTS, toHarborArtifact, type HarborArtifact } from './HarborArtifact';
import { RobotSecret } from './RobotSecret';

export type { HarborArtifact, VulnerabilitySummary } from './HarborArtifact';

/**
 * Settings of the Harbor projects luban creates (`luban.harbor.projectDefaults`).
 * @public
 */
export interface HarborProjectDefaults {
  public: boolean;
  autoScan: boolean;
  preventVulnerable: boolean;
  severity: 'none' | 'low' | 'medium' | 'high' | 'critical';
  storageLimit: number;
  autoSbomGeneration: boolean;
}

/**
 * What an ensure call did.
 * @public
 */
export type EnsureResult = 'created' | 'updated' | 'unchanged';

/**
 * A Harbor project, as luban uses it.
 * @public
 */
export interface HarborProject {
  projectId: number;
  name: string;
  metadata: Record<string, string>;
}

/**
 * A robot account (never with its secret).
 * @public
 */
export interface HarborRobot {
  id: number;
  /** The full name, e.g. `robot$acme+luban`. */
  name: string;
  disabled: boolean;
}

const DEFAULTS: HarborProjectDefaults = {
  public: false,
  autoScan: true,
  preventVulnerable: false,
  severity: 'critical',
  storageLimit: -1,
  autoSbomGeneration: true,
};

/**
 * What a project's robot account is for: `push` is CI's (kpack pushes the
 * project's images), `pull` is the runtime's (nodes pull them in the
 * environment namespaces), so a Secret readable in a runtime namespace cannot
 * push.
 * @public
 */
export type HarborRobotRole = 'push' | 'pull';

/** Harbor robot permissions (`models.Access`) of each role, in the project's scope. */
const ROBOT_ACCESS: Record<HarborRobotRole, Array<{ resource: string; action: string }>> = {
  push: [
    { resource: 'repository', action: 'push' },
    { resource: 'repository', action: 'pull' },
    { resource: 'repository', action: 'list' },
    { resource: 'artifact', action: 'read' },
    { resource: 'artifact', action: 'list' },
    { resource: 'tag', action: 'list' },
  ],
  pull: [{ resource: 'repository', action: 'pull' }],
};

const ROBOT_DESCRIPTION: Record<HarborRobotRole, string> = {
  push: 'Pushes and pulls the project images from CI (managed by luban)',
  pull: 'Pulls the project images in its environments (managed by luban)',
};

/** Harbor's default `robot_name_prefix`. */
const DEFAULT_ROBOT_NAME_PREFIX = 'robot$';

function encodeRepository(repository: string): string {
  // Harbor wants a repository name containing '/' encoded twice.
  return encodeURIComponent(encodeURIComponent(repository));
}

/**
 * luban's Harbor v2.0 client: projects with configured settings, a
 * project-scoped robot account whose secret only ever leaves as a
 * {@link RobotSecret}, artifacts with digests, tags, scan summaries and SBOM
 * presence. Errors are `@backstage/errors` types naming Harbor and the
 * object; credentials never appear in them.
 * @public
 */
export class HarborClient {
  /** Reads `luban.harbor`; undefined when it is not configured. */
  static fromConfig(config: Config, options: { requestTimeoutMs?: number } = {}): HarborClient | undefined {
    const harbor = config.getOptionalConfig('luban.harbor');
    if (!harbor) return undefined;
    const passwordEnv = harbor.getOptionalString('passwordEnv');
    const password = harbor.getOptionalString('password') ?? (passwordEnv ? process.env[passwordEnv] : undefined);
    if (!password) {
      throw new InputError(
        `luban.harbor needs a password: set luban.harbor.password${passwordEnv ? `, or the environment variable ${passwordEnv}` : ' or luban.harbor.passwordEnv'}`,
      );
    }
    const d = harbor.getOptionalConfig('projectDefaults');
    const severity = d?.getOptionalString('severity') ?? DEFAULTS.severity;
    if (!['none', 'low', 'medium', 'high', 'critical'].includes(severity)) {
      throw new InputError(`luban.harbor.projectDefaults.severity must be one of none, low, medium, high, critical; got '${severity}'`);
    }
    return new HarborClient({
      baseUrl: harbor.getString('baseUrl'),
      username: harbor.getString('username'),
      password,
      requestTimeoutMs: options.requestTimeoutMs,
      robotNamePrefix: harbor.getOptionalString('robotNamePrefix'),
      projectDefaults: {
        public: d?.getOptionalBoolean('public') ?? DEFAULTS.public,
        autoScan: d?.getOptionalBoolean('autoScan') ?? DEFAULTS.autoScan,
        preventVulnerable: d?.getOptionalBoolean('preventVulnerable') ?? DEFAULTS.preventVulnerable,
        severity: severity as HarborProjectDefaults['severity'],
        storageLimit: d?.getOptionalNumber('storageLimit') ?? DEFAULTS.storageLimit,
        autoSbomGeneration: d?.getOptionalBoolean('autoSbomGeneration') ?? DEFAULTS.autoSbomGeneration,
      },
    });
  }

  readonly #authorization: string;
  private readonly baseUrl: string;
  private readonly projectDefaults: HarborProjectDefaults;
  private readonly requestTimeoutMs: number;
  private readonly robotNamePrefix: string;

  constructor(options: {
    baseUrl: string;
    username: string;
    password: string;
    projectDefaults?: Partial<HarborProjectDefaults>;
    requestTimeoutMs?: number;
    /** Harbor's `robot_name_prefix` system setting; `robot$` unless an administrator changed it. */
    robotNamePrefix?: string;
  }) {
    this.robotNamePrefix = options.robotNamePrefix?.trim() || DEFAULT_ROBOT_NAME_PREFIX;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
    this.projectDefaults = { ...DEFAULTS, ...options.projectDefaults };
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  }

  /** The registry host images are pushed to, e.g. `harbor.example.com`. */
  get registryHost(): string {
    return new URL(this.baseUrl).host;
  }

  /** The Harbor web UI, e.g. `https://harbor.example.com`. */
  get webUrl(): string {
    return this.baseUrl;
  }

  /** The web page of a project. */
  projectWebUrl(project: HarborProject | { projectId: number }): string {
    return `${this.baseUrl}/harbor/projects/${project.projectId}/repositories`;
  }

  /**
   * The web page of an artifact: the portal's route
   * `projects/:id/repositories/:repo/artifacts-tab/artifacts/:digest`, with
   * the repository named inside its project (`team/api`, encoded once).
   */
  artifactWebUrl(artifact: { projectId: number; repository: string; digest: string }): string {
    return `${this.projectWebUrl(artifact)}/${encodeURIComponent(artifact.repository)}/artifacts-tab/artifacts/${artifact.digest}`;
  }

  private async send(method: string, path: string, action: string, body?: unknown, accept = 'application/json'): Promise<Response> {
    try {
      return await fetch(`${this.baseUrl}/api/v2.0${path}`, {
        method,
        headers: {
          Authorization: this.#authorization,
          Accept: accept,
          // Which report the scan overview holds; the same order as Harbor's default, said explicitly.
          'X-Accept-Vulnerabilities': SCAN_REPORTS.join(', '),
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.requestTimeoutMs),
      });
    } catch (error) {
      throw upstreamError(undefined, networkErrorMessage(error), { system: `Harbor at ${this.registryHost}`, action });
    }
  }

  private async request<T>(
    method: string,
    path: string,
    action: string,
    body?: unknown,
    allow: number[] = [],
  ): Promise<{ status: number; body: T; headers: Headers }> {
    const response = await this.send(method, path, action, body);
    const text = await response.text();
    let parsed: any;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    if (!response.ok && !allow.includes(response.status)) {
      const message = parsed?.errors?.[0]?.message ?? (typeof parsed === 'string' ? parsed : undefined);
      throw upstreamError(response.status, message, { system: `Harbor at ${this.registryHost}`, action });
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  }

  private desiredMetadata(): Record<string, string> {
    const d = this.projectDefaults;
    return {
      public: String(d.public),
      auto_scan: String(d.autoScan),
      prevent_vul: String(d.preventVulnerable),
      severity: d.severity,
      auto_sbom_generation: String(d.autoSbomGeneration),
    };
  }

  /** Reads a project by name; undefined when it does not exist. */
  async getProject(name: string): Promise<HarborProject | undefined> {
    const { status, body } = await this.request<any>(
      'GET',
      `/projects/${encodeURIComponent(name)}`,
      `read project '${name}'`,
      undefined,
      [404],
    );
    if (status === 404) return undefined;
    return { projectId: body.project_id, name: body.name, metadata: body.metadata ?? {} };
  }

  /**
   * Creates the project with the configured settings, or brings an existing
   * one's settings in line. With `dryRun`, only reads.
   */
  async ensureProject(name: string, options: { dryRun?: boolean } = {}): Promise<{ result: EnsureResult; project?: HarborProject }> {
    const desired = this.desiredMetadata();
    const existing = await this.getProject(name);
    if (existing) {
      const differs = Object.entries(desired).some(([key, value]) => existing.metadata[key] !== value);
      if (!differs) return { result: 'unchanged', project: existing };
      if (options.dryRun) return { result: 'updated', project: existing };
      await this.request('PUT', `/projects/${encodeURIComponent(name)}`, `update project '${name}'`, {
        metadata: { ...existing.metadata, ...desired },
      });
      return { result: 'updated', project: await this.getProject(name) };
    }
    if (options.dryRun) return { result: 'created' };
    const created = await this.request<unknown>(
      'POST',
      '/projects',
      `create project '${name}'`,
      { project_name: name, metadata: desired, storage_limit: this.projectDefaults.storageLimit },
      [409],
    );
    // 409: created meanwhile by someone else (or a retried request); read what is there.
    if (created.status === 409) return this.ensureProject(name, options);
    return { result: 'created', project: await this.getProject(name) };
  }

  /** The full name Harbor gives a project's robot account, e.g. `robot$acme+luban` (its `robot_name_prefix`). */
  robotName(project: string, name: string): string {
    return `${this.robotNamePrefix}${project}+${name}`;
  }

  /** Finds a project's robot account by its short name (e.g. `luban`). */
  async findRobot(project: HarborProject, name: string): Promise<HarborRobot | undefined> {
    const { body } = await this.request<any[]>(
      'GET',
      `/robots?q=${encodeURIComponent(`Level=project,ProjectID=${project.projectId}`)}&page_size=100`,
      `list the robot accounts of project '${project.name}'`,
    );
    const fullName = this.robotName(project.name, name);
    const robot = (body ?? []).find(r => r.name === fullName);
    return robot ? { id: robot.id, name: robot.name, disabled: Boolean(robot.disable) } : undefined;
  }

  /**
   * Creates a robot account scoped to the project, with the permissions of
   * its role (push: CI's push and pull; pull: pull only); its secret comes
   * back once.
   */
  async createRobot(
    project: HarborProject,
    name: string,
    role: HarborRobotRole = 'push',
  ): Promise<{ robot: HarborRobot; secret: RobotSecret }> {
    const { body } = await this.request<any>('POST', '/robots', `create robot account '${name}' in project '${project.name}'`, {
      name,
      description: ROBOT_DESCRIPTION[role],
      level: 'project',
      duration: -1,
      disable: false,
      permissions: [{ kind: 'project', namespace: project.name, access: ROBOT_ACCESS[role] }],
    });
    return { robot: { id: body.id, name: body.name, disabled: false }, secret: new RobotSecret(body.name, body.secret) };
  }

  /** Replaces a robot account's secret with a new one (the old one stops working). */
  async rotateRobotSecret(robot: HarborRobot): Promise<RobotSecret> {
    const { body } = await this.request<{ secret?: string }>(
      'PATCH',
      `/robots/${robot.id}`,
      `rotate the secret of robot account '${robot.name}'`,
      {},
    );
    if (!body?.secret) {
      throw upstreamError(502, 'the answer carried no new secret', {
        system: `Harbor at ${this.registryHost}`,
        action: `rotate the secret of robot account '${robot.name}'`,
      });
    }
    return new RobotSecret(robot.name, body.secret);
  }

  /** The artifacts of a repository, newest first, with tags, scan summaries and SBOM presence. */
  async listArtifacts(project: string, repository: string, options: { page?: number; pageSize?: number } = {}) {
    const { body, headers } = await this.request<any[]>(
      'GET',
      `/projects/${encodeURIComponent(project)}/repositories/${encodeRepository(repository)}/artifacts?with_tag=true&with_scan_overview=true&with_sbom_overview=true&page=${options.page ?? 1}&page_size=${options.pageSize ?? 50}`,
      `list the artifacts of '${project}/${repository}'`,
    );
    return { artifacts: (body ?? []).map(toHarborArtifact), total: Number(headers.get('x-total-count') ?? 0) };
  }

  /** One artifact by digest or tag; undefined when absent. */
  async getArtifact(project: string, repository: string, reference: string): Promise<HarborArtifact | undefined> {
    const { status, body } = await this.request<any>(
      'GET',
      `/projects/${encodeURIComponent(project)}/repositories/${encodeRepository(repository)}/artifacts/${encodeURIComponent(reference)}?with_tag=true&with_scan_overview=true&with_sbom_overview=true`,
      `read artifact '${project}/${repository}@${reference}'`,
      undefined,
      [404],
    );
    return status === 404 ? undefined : toHarborArtifact(body);
  }

  /**
   * The SBOM document of an artifact, by its SBOM accessory's digest
   * ({@link HarborArtifact.sbom}): the accessory's `sbom` addition, as
   * Harbor's portal downloads it (SPDX JSON from Trivy, answered with the
   * SBOM processor's media type). undefined when Harbor holds no such SBOM.
   */
  async getSbom(project: string, repository: string, sbomDigest: string): Promise<{ content: Buffer; contentType: string } | undefined> {
    const action = `read the SBOM '${project}/${repository}@${sbomDigest}'`;
    const response = await this.send(
      'GET',
      `/projects/${encodeURIComponent(project)}/repositories/${encodeRepository(repository)}/artifacts/${encodeURIComponent(sbomDigest)}/additions/sbom`,
      action,
      undefined,
      '*/*',
    );
    if (response.status === 404) return undefined;
    if (!response.ok) {
      const text = await response.text();
      let message: string | undefined = text;
      try {
        message = JSON.parse(text)?.errors?.[0]?.message ?? text;
      } catch {
        // Not JSON: the text is the message.
      }
      throw upstreamError(response.status, message, { system: `Harbor at ${this.registryHost}`, action });
    }
    return {
      content: Buffer.from(await response.arrayBuffer()),
      contentType: response.headers.get('content-type') ?? 'application/json',
    };
  }
}
