import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { imageRepository, type LubanEnvironment } from '@luban-backstage/plugin-luban-common';
import type { GitProviders } from '@luban-backstage/plugin-luban-node';
import { gitopsAppFiles } from '../provisioning/gitopsFiles';
import { addMissingFiles } from '../provisioning/gitopsWrites';
import { examples } from './gitopsApp.examples';
import { requireEnvName, requireHttpPath, requireName, selectEnvironments } from './inputs';

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
        protocol: z =>
          z
            .enum(['http', 'grpc'])
            .optional()
            .describe('http (default): the Service listens on port 80; grpc: the Service listens on the app port.'),
        command: z => z.array(z.string()).optional().describe("Replaces the image's entrypoint, e.g. a buildpack launcher."),
        args: z => z.array(z.string()).optional().describe('Arguments to the entrypoint or command.'),
        env: z => z.record(z.string(), z.string()).optional().describe('Fixed environment variables of the container.'),
        imageEnv: z =>
          z
            .string()
            .optional()
            .describe('An environment variable that carries the deployed image reference, e.g. DAGSTER_CURRENT_IMAGE.'),
        healthPath: z => z.string().optional().describe('An HTTP path that answers 200 when the app is ready, e.g. /healthz; probes check it.'),
        environments: z => z.array(z.string()).optional().describe('Environments to add overlays for; default: all of luban.environments.'),
      },
      output: {
        repoUrl: z => z.string().describe('The web page of the GitOps repository.'),
        commitUrl: z => z.string().optional().describe('The commit that added the files, when one was needed.'),
        pullRequestUrl: z =>
          z.string().optional().describe('The pull request that proposes the files, when the branch is protected.'),
        results: z => z.record(z.string(), z.string()).describe('What happened to the repository and each file.'),
      },
    },
    async handler(ctx) {
      const project = requireName('project', 'project', ctx.input.project);
      const app = requireName('app', 'app', ctx.input.app);
      const repo = options.git.parse(ctx.input.gitopsRepoUrl);
      const environments = selectEnvironments(options.environments, ctx.input.environments);
      for (const name of [...Object.keys(ctx.input.env ?? {}), ...(ctx.input.imageEnv ? [ctx.input.imageEnv] : [])]) {
        requireEnvName(ctx.input.imageEnv === name ? 'imageEnv' : 'env', name);
      }
      if (ctx.input.healthPath !== undefined) requireHttpPath('healthPath', ctx.input.healthPath);
      if (ctx.input.healthPath !== undefined && ctx.input.protocol === 'grpc') {
        throw new InputError("Input 'healthPath': an HTTP health check needs protocol http");
      }
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
        protocol: ctx.input.protocol,
        command: ctx.input.command,
        args: ctx.input.args,
        env: ctx.input.env,
        imageEnv: ctx.input.imageEnv,
        healthPath: ctx.input.healthPath,
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
      const message = `Add ${app} to the ${project} GitOps repository\n\nWritten by luban: base/ and an overlay for ${environments.map(e => e.name).join(', ')}.`;
      const outcome = await ctx.checkpoint({
        key: `luban.gitops.app.${repo.webUrl}.${app}.${environments.map(e => e.name).join(',')}`,
        fn: async () => {
          const written = await addMissingFiles(provider, repo, {
            branch: options.branch,
            files,
            message,
            proposal: {
              branch: `luban/gitops/${app}`,
              title: `Add ${app} to the ${project} GitOps repository`,
              body: paths =>
                `Branch \`${options.branch}\` is protected, so luban proposes the files of \`${app}\` here:\n\n${paths.map(path => `- \`${path}\``).join('\n')}`,
            },
          });
          return { missing: written.paths, commitSha: written.commitSha, pullRequestUrl: written.pullRequestUrl };
        },
      });
      if (outcome.pullRequestUrl) ctx.output('pullRequestUrl', outcome.pullRequestUrl);
      for (const path of Object.keys(files)) {
        let result = 'kept';
        if (outcome.missing.includes(path)) result = outcome.pullRequestUrl ? 'proposed' : 'created';
        report(path, result);
      }
      ctx.output('repoUrl', repo.webUrl);
      if (outcome.commitSha) ctx.output('commitUrl', provider.webUrlOfCommit(repo, outcome.commitSha));
      ctx.output('results', results);
    },
  });
}
