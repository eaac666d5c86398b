import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { environmentNamespaceName, type LubanEnvironment } from '@luban-backstage/plugin-luban-common';
import type { GitProviders } from '@luban-backstage/plugin-luban-node';
import {
  DAGSTER_CODE_SERVER_PORT,
  DAGSTER_PLATFORM_APP,
  dagsterWorkspacePath,
  withCodeLocation,
  type CodeLocation,
} from '../provisioning/dagsterFiles';
import { editFiles, type FileEdit } from '../provisioning/gitopsWrites';
import { examples } from './dagsterLocation.examples';
import { requireName, selectEnvironments } from './inputs';

/**
 * `luban:dagster:location`: registers a code location with the project's
 * Dagster platform: a `grpc_server` entry in the workspace of each
 * environment, pointing at the code server that runs in that environment
 * (staging in the first, production in the last). One compare-and-set
 * commit; a re-run changes nothing.
 */
export function createDagsterLocationAction(options: { git: GitProviders; environments: LubanEnvironment[]; branch: string }) {
  return createTemplateAction({
    id: 'luban:dagster:location',
    description:
      "Registers a Dagster code location with its project's Dagster platform: a grpc_server entry in each environment's workspace, in the project GitOps repository.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        project: z => z.string().describe('The luban project name.'),
        app: z => z.string().describe("The code location's app name; also its location name and Service name."),
        gitopsRepoUrl: z => z.string().describe('The project GitOps repository, as a URL or in the RepoUrlPicker form.'),
        port: z =>
          z.number().int().min(1).max(65535).optional().describe(`The port of the code server; default ${DAGSTER_CODE_SERVER_PORT}.`),
        environments: z => z.array(z.string()).optional().describe('Environments to register in; default: all of luban.environments.'),
      },
      output: {
        repoUrl: z => z.string().describe('The web page of the GitOps repository.'),
        locations: z => z.record(z.string(), z.string()).describe('The code server each environment loads, as host:port.'),
        commitUrl: z => z.string().optional().describe('The commit that registered the location, when one was needed.'),
        pullRequestUrl: z =>
          z.string().optional().describe('The pull request that proposes it, when the branch is protected.'),
        results: z => z.record(z.string(), z.string()).describe('What happened to each workspace.'),
      },
    },
    async handler(ctx) {
      const project = requireName('project', 'project', ctx.input.project);
      const app = requireName('app', 'app', ctx.input.app);
      if (app === DAGSTER_PLATFORM_APP) {
        throw new InputError(`Input 'app': '${DAGSTER_PLATFORM_APP}' is the name of the Dagster platform itself; choose another name`);
      }
      const repo = options.git.parse(ctx.input.gitopsRepoUrl);
      const environments = selectEnvironments(options.environments, ctx.input.environments);
      const port = ctx.input.port ?? DAGSTER_CODE_SERVER_PORT;
      const provider = options.git.forRepository(repo);
      const locations: Record<string, CodeLocation> = Object.fromEntries(
        environments.map(env => [
          env.name,
          { name: app, host: `${app}.${environmentNamespaceName(env.name, project, env.namespacePattern)}.svc.cluster.local`, port },
        ]),
      );

      const head = await provider.getBranch(repo, options.branch);
      const workspaces: Record<string, string> = {};
      for (const env of environments) {
        const path = dagsterWorkspacePath(env.name);
        const file = head ? await provider.readFile(repo, path, head) : undefined;
        if (!file) {
          throw new InputError(
            `The ${project} project has no Dagster platform in ${env.name}: ${repo.webUrl} has no ${path}. Create the project's Dagster platform first`,
          );
        }
        workspaces[env.name] = file.content;
      }
      const edits: Record<string, FileEdit> = {};
      for (const env of environments) {
        const path = dagsterWorkspacePath(env.name);
        const edit = (current: string | undefined) => (current === undefined ? undefined : withCodeLocation(current, locations[env.name], path));
        // Check every workspace parses before anything is written.
        try {
          edit(workspaces[env.name]);
        } catch (error) {
          throw new InputError(`Cannot register ${app} in ${repo.webUrl}: ${(error as Error).message}`);
        }
        edits[path] = edit;
      }
      const results: Record<string, string> = {};
      const report = (what: string, result: string) => {
        results[what] = ctx.isDryRun ? `would be ${result}` : result;
        ctx.logger.info(`${what}: ${results[what]}`);
      };

      let changed: string[];
      let proposed = false;
      if (ctx.isDryRun) {
        changed = Object.entries(edits)
          .filter(([path, edit]) => {
            const env = environments.find(e => dagsterWorkspacePath(e.name) === path)!;
            return edit(workspaces[env.name]) !== workspaces[env.name];
          })
          .map(([path]) => path);
      } else {
        const outcome = await ctx.checkpoint({
          key: `luban.dagster.location.${repo.webUrl}.${app}.${environments.map(e => e.name).join(',')}`,
          fn: async () => {
            const written = await editFiles(provider, repo, {
              branch: options.branch,
              edits,
              message: `Register the Dagster code location ${app}\n\nWritten by luban: ${environments.map(e => `${e.name} loads ${locations[e.name].host}:${port}`).join('; ')}.`,
              proposal: {
                branch: `luban/dagster/${app}`,
                title: `Register the Dagster code location ${app}`,
                body: paths => `Branch \`${options.branch}\` is protected, so luban proposes the code location here:\n\n${paths.map(path => `- \`${path}\``).join('\n')}`,
              },
            });
            return { changed: written.paths, commitSha: written.commitSha, pullRequestUrl: written.pullRequestUrl };
          },
        });
        changed = outcome.changed;
        proposed = Boolean(outcome.pullRequestUrl);
        if (outcome.commitSha) ctx.output('commitUrl', provider.webUrlOfCommit(repo, outcome.commitSha));
        if (outcome.pullRequestUrl) ctx.output('pullRequestUrl', outcome.pullRequestUrl);
      }
      for (const env of environments) {
        const path = dagsterWorkspacePath(env.name);
        let result = 'unchanged';
        if (changed.includes(path)) result = proposed ? `${app} proposed` : `${app} registered`;
        report(path, result);
      }
      ctx.output('repoUrl', repo.webUrl);
      ctx.output('locations', Object.fromEntries(Object.entries(locations).map(([env, l]) => [env, `${l.host}:${l.port}`])));
      ctx.output('results', results);
    },
  });
}
