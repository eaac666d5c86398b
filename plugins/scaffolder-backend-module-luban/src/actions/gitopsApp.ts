import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { imageRepository, type LubanEnvironment } from '@luban-backstage/plugin-luban-common';
import { appAddress, appHostname, type GatewayConfig, type GitProviders } from '@luban-backstage/plugin-luban-node';
import { gitopsAppFiles, type AppContainerOptions, type AppRoutes } from '../provisioning/gitopsFiles';
import { examples } from './gitopsApp.examples';
import { addGitopsFiles, ensureGitopsRepository, outputLinks, proposalBody } from './gitopsSteps';
import * as fields from './inputProperties';
import { requireEnvName, requireHttpPath, requireName, selectEnvironments } from './inputs';
import type { ProjectGuard } from './projectGuard';

const schema = {
  input: {
    project: fields.project,
    app: fields.app,
    gitopsRepoUrl: fields.gitopsRepoUrl,
    port: (z: fields.Zod) => z.number().int().min(1).max(65535).optional().describe('The port the app listens on; default 8080.'),
    protocol: (z: fields.Zod) =>
      z
        .enum(['http', 'grpc'])
        .optional()
        .describe('http (default): the Service listens on port 80; grpc: the Service listens on the app port.'),
    command: (z: fields.Zod) => z.array(z.string()).optional().describe("Replaces the image's entrypoint, e.g. a buildpack launcher."),
    args: (z: fields.Zod) => z.array(z.string()).optional().describe('Arguments to the entrypoint or command.'),
    env: (z: fields.Zod) => z.record(z.string(), z.string()).optional().describe('Fixed environment variables of the container.'),
    imageEnv: (z: fields.Zod) =>
      z.string().optional().describe('An environment variable that carries the deployed image reference, e.g. DAGSTER_CURRENT_IMAGE.'),
    healthPath: (z: fields.Zod) =>
      z.string().optional().describe('An HTTP path that answers 200 when the app is ready, e.g. /healthz; probes check it.'),
    route: (z: fields.Zod) =>
      z
        .boolean()
        .optional()
        .describe(
          "Give the app an address: a Gateway API HTTPRoute in each overlay, on the host luban.gateway.hostnamePattern names. Default: for protocol http, when a host pattern is configured.",
        ),
    environments: fields.environments('Environments to add overlays for'),
  },
  output: {
    repoUrl: fields.repoUrl,
    urls: fields.optionalRecord("The app's address in each environment, when it has a route."),
    commitUrl: fields.commitUrl('added the files'),
    pullRequestUrl: fields.pullRequestUrl('the files'),
    results: fields.results('What happened to the repository and each file.'),
  },
};

/** Checks how the container runs: variable names, the health path and that an HTTP check has an HTTP port. */
function requireContainer(input: AppContainerOptions) {
  for (const name of [...Object.keys(input.env ?? {}), ...(input.imageEnv ? [input.imageEnv] : [])]) {
    requireEnvName(input.imageEnv === name ? 'imageEnv' : 'env', name);
  }
  if (input.healthPath !== undefined) requireHttpPath('healthPath', input.healthPath);
  if (input.healthPath !== undefined && input.protocol === 'grpc') {
    throw new InputError("Input 'healthPath': an HTTP health check needs protocol http");
  }
}

/**
 * The app's HTTPRoutes, when it gets an address: asked for (`route: true`),
 * or by default an HTTP app where luban names hosts. Refused for gRPC, which
 * an HTTPRoute does not carry, and where no host pattern is configured.
 */
function appRoutes(
  input: { project: string; app: string; protocol?: 'http' | 'grpc'; route?: boolean },
  gateway: GatewayConfig,
  environments: LubanEnvironment[],
): AppRoutes | undefined {
  const { project, app, protocol = 'http', route } = input;
  if (route === false || (route === undefined && (protocol !== 'http' || !gateway.hostnamePattern))) return undefined;
  if (protocol !== 'http') throw new InputError("Input 'route': an HTTPRoute carries HTTP; the app's protocol is grpc");
  const pattern = gateway.hostnamePattern;
  if (!pattern) {
    throw new InputError(
      "Input 'route': luban names no hosts; set luban.gateway.hostnamePattern (or luban.gateway.domainSuffix) in the app configuration",
    );
  }
  const hostnames = Object.fromEntries(environments.map(env => [env.name, appHostname(pattern, { app, project, env: env.name })]));
  return { gateway, hostnames };
}

/**
 * `luban:gitops:app`: an app's `base/` and one overlay per environment in
 * the project GitOps repository, creating the repository when missing.
 * Files that exist are kept as they are: overlays carry deployed digests
 * and teams adapt their base.
 */
export function createGitopsAppAction(options: {
  git: GitProviders;
  environments: LubanEnvironment[];
  registryHost: string | undefined;
  branch: string;
  /** `luban.gateway`: where an app's HTTPRoutes attach and the hosts they name. */
  gateway: GatewayConfig;
  guard: ProjectGuard;
}) {
  const { branch } = options;
  return createTemplateAction({
    id: 'luban:gitops:app',
    description:
      "Adds an app (base Deployment and Service, one kustomize overlay per environment with the app's HTTPRoute) to the project's GitOps repository, creating the repository when it does not exist.",
    examples,
    supportsDryRun: true,
    schema,
    async handler(ctx) {
      const { input } = ctx;
      const project = requireName('project', 'project', input.project);
      const app = requireName('app', 'app', input.app);
      const repo = options.git.parse(input.gitopsRepoUrl);
      const environments = selectEnvironments(options.environments, input.environments);
      requireContainer(input);
      const routes = appRoutes({ project, app, protocol: input.protocol, route: input.route }, options.gateway, environments);
      if (!options.registryHost) {
        throw new InputError('luban:gitops:app needs luban.harbor in the app configuration: overlays name the image repository in it');
      }
      await options.guard.check(ctx, project, { gitopsRepository: repo.webUrl });
      const provider = options.git.forRepository(repo);
      const { protocol, command, args, env, imageEnv, healthPath } = input;
      const files = gitopsAppFiles({
        project,
        app,
        imageRepository: imageRepository(options.registryHost, project, app),
        port: input.port ?? 8080,
        environments,
        routes,
        ...{ protocol, command, args, env, imageEnv, healthPath },
      });
      const repository = await ensureGitopsRepository(ctx, provider, repo, { branch, project });
      const envNames = environments.map(e => e.name);
      const written = await addGitopsFiles(ctx, provider, repo, {
        key: `luban.gitops.app.${repo.webUrl}.${app}.${envNames.join(',')}`,
        branch,
        files,
        message: `Add ${app} to the ${project} GitOps repository\n\nWritten by luban: base/ and an overlay for ${envNames.join(', ')}.`,
        proposal: {
          branch: `luban/gitops/${app}`,
          title: `Add ${app} to the ${project} GitOps repository`,
          body: proposalBody(branch, `the files of \`${app}\``),
        },
        repositoryCreated: repository.created,
      });
      ctx.output('repoUrl', repo.webUrl);
      if (routes) ctx.output('urls', Object.fromEntries(Object.entries(routes.hostnames).map(([name, host]) => [name, appAddress(host)])));
      outputLinks(ctx, written);
      ctx.output('results', { ...repository.results, ...written.results });
    },
  });
}
