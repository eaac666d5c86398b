import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { imageRepository, type LubanEnvironment } from '@luban-backstage/plugin-luban-common';
import { StaleBranchError, type GitProviders } from '@luban-backstage/plugin-luban-node';
import { gitopsAppFiles } from '../provisioning/gitopsFiles';
import { examples } from './gitopsApp.examples';
import { requireName, selectEnvironments } from './inputs';

/** How often a commit that lost a race with another writer is retried. */
const MAX_ATTEMPTS = 5;

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
}) {
  return createTemplateAction({
    id: 'luban:gitops:app',
    description:
      "Adds an app (base Deployment and Service, one kustomize overlay per environment) to the project's GitOps repository, creating the repository when it does not exist.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        project: z => z.string().describe('The luban project name.'),
        app: z => z.string().describe('The app name.'),
        gitopsRepoUrl: z => z.string().describe('The project GitOps repository, as a URL or in the RepoUrlPicker form.'),
        port: z => z.number().int().min(1).max(65535).optional().describe('The port the app listens on; default 8080.'),
        environments: z => z.array(z.string()).optional().describe('Environments to add overlays for; default: all of luban.environments.'),
      },
      output: {
        repoUrl: z => z.string().describe('The web page of the GitOps repository.'),
        commitUrl: z => z.string().optional().describe('The commit that added the files, when one was needed.'),
        results: z => z.record(z.string(), z.string()).describe('What happened to the repository and each file.'),
      },
    },
    async handler(ctx) {
      const project = requireName('project', 'project', ctx.input.project);
      const app = requireName('app', 'app', ctx.input.app);
      const repo = options.git.parse(ctx.input.gitopsRepoUrl);
      const environments = selectEnvironments(options.environments, ctx.input.environments);
      if (!options.registryHost) {
        throw new InputError('luban:gitops:app needs luban.harbor in the app configuration: overlays name the image repository in it');
      }
      const provider = options.git.forRepository(repo);
      const files = gitopsAppFiles({
        project,
        app,
        imageRepository: imageRepository(options.registryHost, project, app),
        port: ctx.input.port ?? 8080,
        environments,
      });
      const results: Record<string, string> = {};
      const report = (what: string, result: string) => {
        results[what] = ctx.isDryRun ? `would be ${result}` : result;
        ctx.logger.info(`${what}: ${results[what]}`);
      };

      if (ctx.isDryRun) {
        const ensured = await provider.ensureRepository(repo, { dryRun: true, defaultBranch: options.branch, description: `GitOps of the luban project ${project}` });
        report(`repository ${repo.webUrl}`, ensured.result);
        for (const path of Object.keys(files)) {
          const existing = ensured.result === 'created' ? undefined : await provider.readFile(repo, path, options.branch);
          report(path, existing ? 'kept' : 'created');
        }
        ctx.output('repoUrl', repo.webUrl);
        ctx.output('results', results);
        return;
      }

      const ensured = await ctx.checkpoint({
        key: `luban.gitops.repository.${repo.webUrl}`,
        fn: async () =>
          (await provider.ensureRepository(repo, { defaultBranch: options.branch, description: `GitOps of the luban project ${project}` })).result,
      });
      report(`repository ${repo.webUrl}`, ensured);
      const outcome = await ctx.checkpoint({
        key: `luban.gitops.app.${repo.webUrl}.${app}.${environments.map(e => e.name).join(',')}`,
        fn: async () => {
          for (let attempt = 1; ; attempt++) {
            const head = await provider.getBranch(repo, options.branch);
            if (!head) throw new InputError(`The GitOps repository ${repo.webUrl} has no branch '${options.branch}'`);
            const missing: string[] = [];
            for (const path of Object.keys(files)) {
              if (!(await provider.readFile(repo, path, head))) missing.push(path);
            }
            if (missing.length === 0) return { missing, commitSha: undefined };
            try {
              const { commitSha } = await provider.commitFiles(repo, {
                branch: options.branch,
                expectedHeadSha: head,
                message: `Add ${app} to the ${project} GitOps repository\n\nWritten by luban: base/ and an overlay for ${environments.map(e => e.name).join(', ')}.`,
                files: missing.map(path => ({ path, content: files[path] })),
              });
              return { missing, commitSha };
            } catch (error) {
              if (!(error instanceof StaleBranchError) || attempt >= MAX_ATTEMPTS) throw error;
            }
          }
        },
      });
      for (const path of Object.keys(files)) report(path, outcome.missing.includes(path) ? 'created' : 'kept');
      ctx.output('repoUrl', repo.webUrl);
      if (outcome.commitSha) ctx.output('commitUrl', provider.webUrlOfCommit(repo, outcome.commitSha));
      ctx.output('results', results);
    },
  });
}
