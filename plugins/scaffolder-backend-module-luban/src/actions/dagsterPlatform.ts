import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type { LubanEnvironment } from '@luban-backstage/plugin-luban-common';
import type { GitProviders } from '@luban-backstage/plugin-luban-node';
import {
  dagsterCatalogPath,
  dagsterHostnames,
  dagsterPlatformFiles,
  DAGSTER_PLATFORM_APP,
  DEFAULT_DAGSTER_IMAGE,
  DEFAULT_POSTGRES_IMAGE,
  type GatewaySettings,
} from '../provisioning/dagsterFiles';
import { addMissingFiles } from '../provisioning/gitopsWrites';
import { examples } from './dagsterPlatform.examples';
import { requireGroupRef, requireImage, requireName, selectEnvironments } from './inputs';

const DOMAIN = /^(?=.{1,200}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;

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
  gateway: Partial<GatewaySettings> & Pick<GatewaySettings, 'name' | 'namespace'>;
}) {
  return createTemplateAction({
    id: 'luban:dagster:platform',
    description:
      "Adds a project's Dagster platform (webserver, daemon, PostgreSQL, workspace, HTTPRoute per environment) to its GitOps repository, with a catalog descriptor of the platform.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        project: z => z.string().describe('The luban project name.'),
        gitopsRepoUrl: z => z.string().describe('The project GitOps repository, as a URL or in the RepoUrlPicker form.'),
        owner: z => z.string().describe('The Group entity that owns the platform, e.g. group:default/data-team.'),
        environments: z => z.array(z.string()).optional().describe('Environments to run Dagster in; default: all of luban.environments.'),
        domainSuffix: z =>
          z.string().optional().describe('The DNS suffix of the web UI hosts; default: luban.gateway.domainSuffix.'),
        dagsterImage: z => z.string().optional().describe(`The image of the webserver and the daemon; default ${DEFAULT_DAGSTER_IMAGE}.`),
        postgresImage: z => z.string().optional().describe(`The PostgreSQL image; default ${DEFAULT_POSTGRES_IMAGE}.`),
      },
      output: {
        repoUrl: z => z.string().describe('The web page of the GitOps repository.'),
        app: z => z.string().describe("The platform's app name in the GitOps repository and in Argo CD."),
        catalogInfoUrl: z => z.string().describe('The catalog descriptor of the platform, for catalog:register.'),
        urls: z => z.record(z.string(), z.string()).describe('The web UI of each environment.'),
        commitUrl: z => z.string().optional().describe('The commit that added the files, when one was needed.'),
        pullRequestUrl: z =>
          z.string().optional().describe('The pull request that proposes the files, when the branch is protected.'),
        results: z => z.record(z.string(), z.string()).describe('What happened to each file.'),
      },
    },
    async handler(ctx) {
      const project = requireName('project', 'project', ctx.input.project);
      const owner = requireGroupRef('owner', ctx.input.owner);
      const repo = options.git.parse(ctx.input.gitopsRepoUrl);
      const environments = selectEnvironments(options.environments, ctx.input.environments);
      const domainSuffix = (ctx.input.domainSuffix ?? options.gateway.domainSuffix)?.trim().toLowerCase();
      if (!domainSuffix) {
        throw new InputError(
          'luban:dagster:platform needs luban.gateway.domainSuffix in the app configuration (or the domainSuffix input): the web UI hosts are named in it',
        );
      }
      if (!DOMAIN.test(domainSuffix)) {
        throw new InputError(`Input 'domainSuffix': '${domainSuffix}' is not a DNS name such as apps.example.com`);
      }
      const dagsterImage = requireImage('dagsterImage', ctx.input.dagsterImage ?? DEFAULT_DAGSTER_IMAGE);
      const postgresImage = requireImage('postgresImage', ctx.input.postgresImage ?? DEFAULT_POSTGRES_IMAGE);
      const provider = options.git.forRepository(repo);
      const files = dagsterPlatformFiles({
        project,
        owner,
        gitopsWebUrl: repo.webUrl,
        environments,
        gateway: { name: options.gateway.name, namespace: options.gateway.namespace, domainSuffix },
        dagsterImage,
        postgresImage,
      });
      const results: Record<string, string> = {};
      const report = (what: string, result: string) => {
        results[what] = ctx.isDryRun ? `would be ${result}` : result;
        ctx.logger.info(`${what}: ${results[what]}`);
      };
      const repositoryOptions = { defaultBranch: options.branch, description: `GitOps of the luban project ${project}` };

      if (ctx.isDryRun) {
        const ensured = await provider.ensureRepository(repo, { ...repositoryOptions, dryRun: true });
        report(`repository ${repo.webUrl}`, ensured.result);
        for (const path of Object.keys(files)) {
          const existing = ensured.result === 'created' ? undefined : await provider.readFile(repo, path, options.branch);
          report(path, existing ? 'kept' : 'created');
        }
      } else {
        const ensured = await ctx.checkpoint({
          key: `luban.gitops.repository.${repo.webUrl}`,
          fn: async () => (await provider.ensureRepository(repo, repositoryOptions)).result,
        });
        report(`repository ${repo.webUrl}`, ensured);
        const outcome = await ctx.checkpoint({
          key: `luban.dagster.platform.${repo.webUrl}.${environments.map(e => e.name).join(',')}`,
          fn: async () => {
            const written = await addMissingFiles(provider, repo, {
              branch: options.branch,
              files,
              message: `Add the Dagster platform of ${project}\n\nWritten by luban: webserver, daemon and PostgreSQL, with an overlay for ${environments.map(e => e.name).join(', ')}.`,
              proposal: {
                branch: 'luban/dagster/platform',
                title: `Add the Dagster platform of ${project}`,
                body: paths =>
                  `Branch \`${options.branch}\` is protected, so luban proposes the Dagster platform here:\n\n${paths.map(path => `- \`${path}\``).join('\n')}`,
              },
            });
            return { missing: written.paths, commitSha: written.commitSha, pullRequestUrl: written.pullRequestUrl };
          },
        });
        for (const path of Object.keys(files)) {
          let result = 'kept';
          if (outcome.missing.includes(path)) result = outcome.pullRequestUrl ? 'proposed' : 'created';
          report(path, result);
        }
        if (outcome.commitSha) ctx.output('commitUrl', provider.webUrlOfCommit(repo, outcome.commitSha));
        if (outcome.pullRequestUrl) ctx.output('pullRequestUrl', outcome.pullRequestUrl);
      }
      ctx.output('repoUrl', repo.webUrl);
      ctx.output('app', DAGSTER_PLATFORM_APP);
      ctx.output('catalogInfoUrl', provider.webUrlOfFile(repo, dagsterCatalogPath(), options.branch));
      ctx.output(
        'urls',
        Object.fromEntries(Object.entries(dagsterHostnames(project, environments, domainSuffix)).map(([env, host]) => [env, `https://${host}`])),
      );
      ctx.output('results', results);
    },
  });
}
