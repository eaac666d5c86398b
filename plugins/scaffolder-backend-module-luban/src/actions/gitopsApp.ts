import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { imageRepository, type LubanEnvironment } from '@luban-backstage/plugin-luban-common';
import {
  BranchProtectedError,
  StaleBranchError,
  type GitProvider,
  type GitProviders,
  type RepoLocation,
} from '@luban-backstage/plugin-luban-node';
import { gitopsAppFiles } from '../provisioning/gitopsFiles';
import { examples } from './gitopsApp.examples';
import { requireName, selectEnvironments } from './inputs';

/** How often a commit that lost a race with another writer is retried. */
const MAX_ATTEMPTS = 5;

/** The files not yet on a branch. */
async function missingFiles(provider: GitProvider, repo: RepoLocation, branch: string, files: Record<string, string>) {
  const head = await provider.getBranch(repo, branch);
  if (!head) return Object.keys(files);
  const missing: string[] = [];
  for (const path of Object.keys(files)) {
    if (!(await provider.readFile(repo, path, head))) missing.push(path);
  }
  return missing;
}

/** Commits the files missing on a branch, compare-and-set, retrying lost races; undefined when none are. */
async function commitMissing(
  provider: GitProvider,
  repo: RepoLocation,
  branch: string,
  files: Record<string, string>,
  message: string,
): Promise<string | undefined> {
  for (let attempt = 1; ; attempt++) {
    const head = await provider.getBranch(repo, branch);
    if (!head) throw new InputError(`The GitOps repository ${repo.webUrl} has no branch '${branch}'`);
    const missing = await missingFiles(provider, repo, branch, files);
    if (missing.length === 0) return undefined;
    try {
      const { commitSha } = await provider.commitFiles(repo, {
        branch,
        expectedHeadSha: head,
        message,
        files: missing.map(path => ({ path, content: files[path] })),
      });
      return commitSha;
    } catch (error) {
      if (!(error instanceof StaleBranchError) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
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
      const proposalBranch = `luban/gitops/${app}`;
      const message = `Add ${app} to the ${project} GitOps repository\n\nWritten by luban: base/ and an overlay for ${environments.map(e => e.name).join(', ')}.`;
      const outcome = await ctx.checkpoint({
        key: `luban.gitops.app.${repo.webUrl}.${app}.${environments.map(e => e.name).join(',')}`,
        fn: async () => {
          const missing = await missingFiles(provider, repo, options.branch, files);
          if (missing.length === 0) return { missing, commitSha: undefined, pullRequestUrl: undefined };
          // A proposal already open for a protected branch: keep to it rather than knock again.
          if (!(await provider.getBranch(repo, proposalBranch))) {
            try {
              const commitSha = await commitMissing(provider, repo, options.branch, files, message);
              return { missing, commitSha, pullRequestUrl: undefined };
            } catch (error) {
              if (!(error instanceof BranchProtectedError)) throw error;
              const head = await provider.getBranch(repo, options.branch);
              await provider.ensureBranch(repo, proposalBranch, head!);
            }
          }
          const commitSha = await commitMissing(provider, repo, proposalBranch, files, message);
          const pull = await provider.openOrReusePullRequest(repo, {
            head: proposalBranch,
            base: options.branch,
            title: `Add ${app} to the ${project} GitOps repository`,
            body: `Branch \`${options.branch}\` is protected, so luban proposes the files of \`${app}\` here:\n\n${missing.map(path => `- \`${path}\``).join('\n')}`,
          });
          return { missing, commitSha, pullRequestUrl: pull.webUrl };
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
