import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  LUBAN_GITOPS_REPO_ANNOTATION,
  LUBAN_PROJECT_ANNOTATION,
} from '@luban-backstage/plugin-luban-common';
import type { GitProviders } from '@luban-backstage/plugin-luban-node';
import { stringify } from 'yaml';
import { addMissingFiles } from '../provisioning/gitopsWrites';
import { examples } from './gitopsRepo.examples';
import { requireGroupRef, requireName } from './inputs';

/** Where the project's catalog entity lives in its GitOps repository. */
export const PROJECT_CATALOG_FILE = 'catalog-info.yaml';

/**
 * `luban:gitops:repo`: the project GitOps repository, with a
 * `catalog-info.yaml` at its root that describes the project as a catalog
 * System, for `catalog:register`. An existing file is kept as it is.
 */
export function createGitopsRepoAction(options: { git: GitProviders; branch: string }) {
  return createTemplateAction({
    id: 'luban:gitops:repo',
    description:
      "Creates the project's GitOps repository when it does not exist, with a catalog-info.yaml that describes the project as a catalog System.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        project: z => z.string().describe('The luban project name; also the System entity name.'),
        gitopsRepoUrl: z => z.string().describe('The project GitOps repository, as a URL or in the RepoUrlPicker form.'),
        owner: z => z.string().describe('The Group entity that owns the project, e.g. group:default/payments-team.'),
        description: z => z.string().max(500).optional().describe('What the project is for, shown in the catalog.'),
      },
      output: {
        repoUrl: z => z.string().describe('The web page of the GitOps repository.'),
        catalogInfoUrl: z => z.string().describe('The System descriptor, for catalog:register.'),
        commitUrl: z => z.string().optional().describe('The commit that added the descriptor, when one was needed.'),
        pullRequestUrl: z =>
          z.string().optional().describe('The pull request that proposes the descriptor, when the branch is protected.'),
        results: z => z.record(z.string(), z.string()).describe('What happened to the repository and the descriptor.'),
      },
    },
    async handler(ctx) {
      const project = requireName('project', 'project', ctx.input.project);
      const owner = requireGroupRef('owner', ctx.input.owner);
      const repo = options.git.parse(ctx.input.gitopsRepoUrl);
      const description = ctx.input.description?.trim() || `The luban project ${project}.`;
      if (Array.from(description).some(char => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f)) {
        throw new InputError("Input 'description' must be one line of text, without control characters");
      }
      const provider = options.git.forRepository(repo);
      const files = {
        [PROJECT_CATALOG_FILE]: stringify({
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'System',
          metadata: {
            name: project,
            description,
            annotations: {
              [LUBAN_PROJECT_ANNOTATION]: project,
              [LUBAN_GITOPS_REPO_ANNOTATION]: repo.webUrl,
            },
            tags: ['luban'],
            links: [{ url: repo.webUrl, title: 'GitOps repository' }],
          },
          spec: { owner },
        }),
      };
      const catalogInfoUrl = provider.webUrlOfFile(repo, PROJECT_CATALOG_FILE, options.branch);
      const results: Record<string, string> = {};
      const report = (what: string, result: string) => {
        results[what] = ctx.isDryRun ? `would be ${result}` : result;
        ctx.logger.info(`${what}: ${results[what]}`);
      };
      const repositoryOptions = { defaultBranch: options.branch, description: `GitOps of the luban project ${project}` };

      if (ctx.isDryRun) {
        const ensured = await provider.ensureRepository(repo, { ...repositoryOptions, dryRun: true });
        report(`repository ${repo.webUrl}`, ensured.result);
        const existing = ensured.result === 'created' ? undefined : await provider.readFile(repo, PROJECT_CATALOG_FILE, options.branch);
        report(PROJECT_CATALOG_FILE, existing ? 'kept' : 'created');
      } else {
        const ensured = await ctx.checkpoint({
          key: `luban.gitops.repository.${repo.webUrl}`,
          fn: async () => (await provider.ensureRepository(repo, repositoryOptions)).result,
        });
        report(`repository ${repo.webUrl}`, ensured);
        const outcome = await ctx.checkpoint({
          key: `luban.gitops.repo.${repo.webUrl}.catalog`,
          fn: async () => {
            const written = await addMissingFiles(provider, repo, {
              branch: options.branch,
              files,
              message: `Describe the ${project} project for the Backstage catalog\n\nWritten by luban.`,
              proposal: {
                branch: 'luban/gitops/catalog-info',
                title: `Describe the ${project} project for the Backstage catalog`,
                body: () => `Branch \`${options.branch}\` is protected, so luban proposes the catalog descriptor of the project here.`,
              },
            });
            return { written: written.paths.length > 0, commitSha: written.commitSha, pullRequestUrl: written.pullRequestUrl };
          },
        });
        let result = 'kept';
        if (outcome.written) result = outcome.pullRequestUrl ? 'proposed' : 'created';
        report(PROJECT_CATALOG_FILE, result);
        if (outcome.commitSha) ctx.output('commitUrl', provider.webUrlOfCommit(repo, outcome.commitSha));
        if (outcome.pullRequestUrl) ctx.output('pullRequestUrl', outcome.pullRequestUrl);
      }
      ctx.output('repoUrl', repo.webUrl);
      ctx.output('catalogInfoUrl', catalogInfoUrl);
      ctx.output('results', results);
    },
  });
}
