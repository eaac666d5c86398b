import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type { LubanEnvironment } from '@luban-backstage/plugin-luban-common';
import type { GitProviders, LubanConfig } from '@luban-backstage/plugin-luban-node';
import {
  dagsterCatalogPath,
  dagsterHostnames,
  dagsterPlatformFiles,
  DAGSTER_PLATFORM_APP,
  DEFAULT_DAGSTER_IMAGE,
  DEFAULT_POSTGRES_IMAGE,
} from '../provisioning/dagsterFiles';
import { examples } from './dagsterPlatform.examples';
import { addGitopsFiles, ensureGitopsRepository, outputLinks, proposalBody } from './gitopsSteps';
import * as fields from './inputProperties';
import { requireGroupRef, requireImage, requireName, selectEnvironments } from './inputs';
import type { ProjectGuard } from './projectGuard';

const DOMAIN = /^(?=.{1,200}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;

const schema = {
  input: {
    project: fields.project,
    gitopsRepoUrl: fields.gitopsRepoUrl,
    owner: fields.owner('the platform', 'group:default/data-team'),
    environments: fields.environments('Environments to run Dagster in'),
    domainSuffix: (z: fields.Zod) =>
      z.string().optional().describe('The DNS suffix of the web UI hosts; default: luban.gateway.domainSuffix.'),
    dagsterImage: (z: fields.Zod) =>
      z.string().optional().describe(`The image of the webserver and the daemon; default ${DEFAULT_DAGSTER_IMAGE}.`),
    postgresImage: (z: fields.Zod) => z.string().optional().describe(`The PostgreSQL image; default ${DEFAULT_POSTGRES_IMAGE}.`),
  },
  output: {
    repoUrl: fields.repoUrl,
    app: (z: fields.Zod) => z.string().describe("The platform's app name in the GitOps repository and in Argo CD."),
    catalogInfoUrl: (z: fields.Zod) => z.string().describe('The catalog descriptor of the platform, for catalog:register.'),
    urls: fields.record('The web UI of each environment.'),
    commitUrl: fields.commitUrl('added the files'),
    pullRequestUrl: fields.pullRequestUrl('the files'),
    results: fields.results('What happened to each file.'),
  },
};

/** The DNS suffix of the web UI hosts: the input's, else the configured one. */
function requireDomainSuffix(input: string | undefined, configured: string | undefined): string {
  const domainSuffix = (input ?? configured)?.trim().toLowerCase();
  if (!domainSuffix) {
    throw new InputError(
      'luban:dagster:platform needs luban.gateway.domainSuffix in the app configuration (or the domainSuffix input): the web UI hosts are named in it',
    );
  }
  if (!DOMAIN.test(domainSuffix)) {
    throw new InputError(`Input 'domainSuffix': '${domainSuffix}' is not a DNS name such as apps.example.com`);
  }
  return domainSuffix;
}

/**
 * `luban:dagster:platform`: the GitOps files of a project's Dagster
 * instance (webserver, daemon, PostgreSQL, instance configuration, an empty
 * workspace of code locations and the web UI's HTTPRoute per environment),
 * and its catalog descriptor. Files that exist are kept: the workspace lists
 * code locations added since.
 */
export function createDagsterPlatformAction(options: {
  git: GitProviders;
  environments: LubanEnvironment[];
  branch: string;
  gateway: LubanConfig['gateway'];
  guard: ProjectGuard;
}) {
  const { branch } = options;
  return createTemplateAction({
    id: 'luban:dagster:platform',
    description:
      "Adds a project's Dagster platform (webserver, daemon, PostgreSQL, workspace, HTTPRoute per environment) to its GitOps repository, with a catalog descriptor of the platform.",
    examples,
    supportsDryRun: true,
    schema,
    async handler(ctx) {
      const project = requireName('project', 'project', ctx.input.project);
      const owner = requireGroupRef('owner', ctx.input.owner);
      const repo = options.git.parse(ctx.input.gitopsRepoUrl);
      const environments = selectEnvironments(options.environments, ctx.input.environments);
      const domainSuffix = requireDomainSuffix(ctx.input.domainSuffix, options.gateway.domainSuffix);
      const files = dagsterPlatformFiles({
        project,
        owner,
        gitopsWebUrl: repo.webUrl,
        environments,
        gateway: { name: options.gateway.name, namespace: options.gateway.namespace, domainSuffix },
        dagsterImage: requireImage('dagsterImage', ctx.input.dagsterImage ?? DEFAULT_DAGSTER_IMAGE),
        postgresImage: requireImage('postgresImage', ctx.input.postgresImage ?? DEFAULT_POSTGRES_IMAGE),
      });
      // `owner` owns the platform's catalog entry, not the project: the project must exist and be the user's.
      await options.guard.check(ctx, project, { gitopsRepository: repo.webUrl });
      const provider = options.git.forRepository(repo);
      const repository = await ensureGitopsRepository(ctx, provider, repo, { branch, project });
      const envNames = environments.map(e => e.name);
      const written = await addGitopsFiles(ctx, provider, repo, {
        key: `luban.dagster.platform.${repo.webUrl}.${envNames.join(',')}`,
        branch,
        files,
        message: `Add the Dagster platform of ${project}\n\nWritten by luban: webserver, daemon and PostgreSQL, with an overlay for ${envNames.join(', ')}.`,
        proposal: { branch: 'luban/dagster/platform', title: `Add the Dagster platform of ${project}`, body: proposalBody(branch, 'the Dagster platform') },
        repositoryCreated: repository.created,
      });
      outputLinks(ctx, written);
      const hosts = dagsterHostnames(project, environments, domainSuffix);
      ctx.output('repoUrl', repo.webUrl);
      ctx.output('app', DAGSTER_PLATFORM_APP);
      ctx.output('catalogInfoUrl', provider.webUrlOfFile(repo, dagsterCatalogPath(), branch));
      ctx.output('urls', Object.fromEntries(Object.entries(hosts).map(([env, host]) => [env, `https://${host}`])));
      ctx.output('results', { ...repository.results, ...written.results });
    },
  });
}
