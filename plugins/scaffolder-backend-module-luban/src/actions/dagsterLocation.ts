import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { environmentNamespaceName, type LubanEnvironment } from '@luban-backstage/plugin-luban-common';
import type { GitProvider, GitProviders, RepoLocation } from '@luban-backstage/plugin-luban-node';
import { DAGSTER_CODE_SERVER_PORT, DAGSTER_PLATFORM_APP, dagsterWorkspacePath } from '../provisioning/dagsterFiles';
import { withCodeLocation, type CodeLocation } from '../provisioning/dagsterWorkspace';
import { editFiles, type FileEdit, type GitopsWriteOutcome } from '../provisioning/gitopsWrites';
import { examples } from './dagsterLocation.examples';
import { outputLinks, proposalBody } from './gitopsSteps';
import * as fields from './inputProperties';
import { requireName, selectEnvironments } from './inputs';
import type { ProjectGuard } from './projectGuard';
import { step } from './step';

const schema = {
  input: {
    project: fields.project,
    app: (z: fields.Zod) => z.string().describe("The code location's app name; also its location name and Service name."),
    gitopsRepoUrl: fields.gitopsRepoUrl,
    port: (z: fields.Zod) =>
      z.number().int().min(1).max(65535).optional().describe(`The port of the code server; default ${DAGSTER_CODE_SERVER_PORT}.`),
    environments: fields.environments('Environments to register in'),
  },
  output: {
    repoUrl: fields.repoUrl,
    locations: fields.record('The code server each environment loads, as host:port.'),
    commitUrl: fields.commitUrl('registered the location'),
    pullRequestUrl: fields.pullRequestUrl('it'),
    results: fields.results('What happened to each workspace.'),
  },
};

/** The workspace file of each environment, by path; an InputError names the first that is missing. */
async function readWorkspaces(
  provider: GitProvider,
  repo: RepoLocation,
  options: { project: string; branch: string; environments: LubanEnvironment[] },
): Promise<Record<string, string>> {
  const head = await provider.getBranch(repo, options.branch);
  const workspaces: Record<string, string> = {};
  for (const env of options.environments) {
    const path = dagsterWorkspacePath(env);
    const file = head ? await provider.readFile(repo, path, head) : undefined;
    if (!file) {
      throw new InputError(
        `The ${options.project} project has no Dagster platform in ${env.name}: ${repo.webUrl} has no ${path}. Create the project's Dagster platform first`,
      );
    }
    workspaces[path] = file.content;
  }
  return workspaces;
}

/** The edit of each workspace that registers its environment's location; every workspace must parse before anything is written. */
function workspaceEdits(workspaces: Record<string, string>, locations: Record<string, CodeLocation>, where: string) {
  const edits: Record<string, FileEdit> = {};
  for (const [path, content] of Object.entries(workspaces)) {
    const edit: FileEdit = current => (current === undefined ? undefined : withCodeLocation(current, locations[path], path));
    try {
      edit(content);
    } catch (error) {
      throw new InputError(`Cannot register ${locations[path].name} in ${where}: ${(error as Error).message}`);
    }
    edits[path] = edit;
  }
  return edits;
}

/**
 * `luban:dagster:location`: registers a code location with the project's
 * Dagster platform: a `grpc_server` entry in the workspace of each
 * environment, pointing at the code server that runs in that environment
 * (staging in the first, production in the last). One compare-and-set
 * commit; a re-run changes nothing.
 */
export function createDagsterLocationAction(options: {
  git: GitProviders;
  environments: LubanEnvironment[];
  branch: string;
  guard: ProjectGuard;
}) {
  const { branch } = options;
  return createTemplateAction({
    id: 'luban:dagster:location',
    description:
      "Registers a Dagster code location with its project's Dagster platform: a grpc_server entry in each environment's workspace, in the project GitOps repository.",
    examples,
    supportsDryRun: true,
    schema,
    async handler(ctx) {
      const project = requireName('project', 'project', ctx.input.project);
      const app = requireName('app', 'app', ctx.input.app);
      if (app === DAGSTER_PLATFORM_APP) {
        throw new InputError(`Input 'app': '${DAGSTER_PLATFORM_APP}' is the name of the Dagster platform itself; choose another name`);
      }
      const repo = options.git.parse(ctx.input.gitopsRepoUrl);
      const environments = selectEnvironments(options.environments, ctx.input.environments);
      const port = ctx.input.port ?? DAGSTER_CODE_SERVER_PORT;
      await options.guard.check(ctx, project, { gitopsRepository: repo.webUrl });
      const provider = options.git.forRepository(repo);
      const locations: Record<string, CodeLocation> = Object.fromEntries(
        environments.map(env => {
          const host = `${app}.${environmentNamespaceName(env.name, project, env.namespacePattern)}.svc.cluster.local`;
          return [dagsterWorkspacePath(env), { name: app, host, port }];
        }),
      );
      const workspaces = await readWorkspaces(provider, repo, { project, branch, environments });
      const edits = workspaceEdits(workspaces, locations, repo.webUrl);
      const envNames = environments.map(e => e.name);
      const title = `Register the Dagster code location ${app}`;
      const outcome = await step(ctx, `luban.dagster.location.${repo.webUrl}.${app}.${envNames.join(',')}`, async dryRun => {
        const written: GitopsWriteOutcome = dryRun
          ? { paths: Object.keys(edits).filter(path => edits[path](workspaces[path]) !== workspaces[path]) }
          : await editFiles(provider, repo, {
              branch,
              edits,
              message: `${title}\n\nWritten by luban: ${environments.map(e => `${e.name} loads ${locations[dagsterWorkspacePath(e)].host}:${port}`).join('; ')}.`,
              proposal: { branch: `luban/dagster/${app}`, title, body: proposalBody(branch, 'the code location') },
            });
        const registered = written.pullRequestUrl ? `${app} proposed` : `${app} registered`;
        const results = Object.fromEntries(Object.keys(edits).map(path => [path, written.paths.includes(path) ? registered : 'unchanged']));
        const commitUrl = written.commitSha ? provider.webUrlOfCommit(repo, written.commitSha) : undefined;
        return { results, commitUrl, pullRequestUrl: written.pullRequestUrl };
      });
      outputLinks(ctx, outcome);
      ctx.output('repoUrl', repo.webUrl);
      ctx.output('locations', Object.fromEntries(environments.map(env => [env.name, hostPort(locations[dagsterWorkspacePath(env)])])));
      ctx.output('results', outcome.results);
    },
  });
}

/** How the output shows a code server. */
function hostPort(location: CodeLocation): string {
  return `${location.host}:${location.port}`;
}
