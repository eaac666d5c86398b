import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { LUBAN_GITOPS_REPO_ANNOTATION, LUBAN_PROJECT_ANNOTATION } from '@luban-backstage/plugin-luban-common';
import type { GitProviders } from '@luban-backstage/plugin-luban-node';
import { stringify } from 'yaml';
import { examples } from './gitopsRepo.examples';
import { addGitopsFiles, ensureGitopsRepository, outputLinks, protectGitopsBranch } from './gitopsSteps';
import * as fields from './inputProperties';
import { requireGroupRef, requireName } from './inputs';
import type { ProjectGuard } from './projectGuard';

/** Where the project's catalog entity lives in its GitOps repository. */
export const PROJECT_CATALOG_FILE = 'catalog-info.yaml';

const schema = {
  input: {
    project: (z: fields.Zod) => z.string().describe('The luban project name; also the System entity name.'),
    gitopsRepoUrl: fields.gitopsRepoUrl,
    owner: fields.owner('the project', 'group:default/payments-team'),
    description: (z: fields.Zod) => z.string().max(500).optional().describe('What the project is for, shown in the catalog.'),
  },
  output: {
    repoUrl: fields.repoUrl,
    catalogInfoUrl: (z: fields.Zod) => z.string().describe('The System descriptor, for catalog:register.'),
    commitUrl: fields.commitUrl('added the descriptor'),
    pullRequestUrl: fields.pullRequestUrl('the descriptor'),
    results: fields.results('What happened to the repository and the descriptor.'),
  },
};

/** The project as a catalog System, pointing at its GitOps repository. */
function systemDescriptor(project: string, owner: string, description: string, gitopsWebUrl: string): string {
  return stringify({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'System',
    metadata: {
      name: project,
      description,
      annotations: { [LUBAN_PROJECT_ANNOTATION]: project, [LUBAN_GITOPS_REPO_ANNOTATION]: gitopsWebUrl },
      tags: ['luban'],
      links: [{ url: gitopsWebUrl, title: 'GitOps repository' }],
    },
    spec: { owner },
  });
}

/**
 * `luban:gitops:repo`: the project GitOps repository, with a
 * `catalog-info.yaml` at its root that describes the project as a catalog
 * System, for `catalog:register`. An existing file is kept as it is. Its
 * branch then requires the approvals `luban.environments[].requiredApprovals`
 * asks (see the README's Approvals).
 */
export function createGitopsRepoAction(options: { git: GitProviders; branch: string; guard: ProjectGuard; requiredApprovals: number }) {
  const { branch } = options;
  return createTemplateAction({
    id: 'luban:gitops:repo',
    description:
      "Creates the project's GitOps repository when it does not exist, with a catalog-info.yaml that describes the project as a catalog System, and requires approving reviews on its branch as the environments' requiredApprovals ask.",
    examples,
    supportsDryRun: true,
    schema,
    async handler(ctx) {
      const project = requireName('project', 'project', ctx.input.project);
      const owner = requireGroupRef('owner', ctx.input.owner);
      const repo = options.git.parse(ctx.input.gitopsRepoUrl);
      const description = ctx.input.description?.trim() || `The luban project ${project}.`;
      if (Array.from(description).some(char => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f)) {
        throw new InputError("Input 'description' must be one line of text, without control characters");
      }
      const access = await options.guard.check(ctx, project, { owner, gitopsRepository: repo.webUrl });
      const provider = options.git.forRepository(repo);
      const repository = await ensureGitopsRepository(ctx, provider, repo, { branch, project });
      const title = `Describe the ${project} project for the Backstage catalog`;
      const written = await addGitopsFiles(ctx, provider, repo, {
        key: `luban.gitops.repo.${repo.webUrl}.catalog`,
        branch,
        files: { [PROJECT_CATALOG_FILE]: systemDescriptor(project, owner, description, repo.webUrl) },
        message: `${title}\n\nWritten by luban.`,
        proposal: {
          branch: 'luban/gitops/catalog-info',
          title,
          body: () => `Branch \`${branch}\` is protected, so luban proposes the catalog descriptor of the project here.`,
        },
        repositoryCreated: repository.created,
      });
      // Last: the descriptor above is luban's own commit, which the protection would turn into a pull request on Azure DevOps.
      const protection = await protectGitopsBranch(ctx, provider, repo, {
        branch,
        requiredApprovals: options.requiredApprovals,
        repositoryCreated: repository.created,
      });
      await options.guard.record(ctx, project, access, { gitopsRepository: repo.webUrl });
      outputLinks(ctx, written);
      ctx.output('repoUrl', repo.webUrl);
      ctx.output('catalogInfoUrl', provider.webUrlOfFile(repo, PROJECT_CATALOG_FILE, branch));
      ctx.output('results', { ...repository.results, ...written.results, ...protection });
    },
  });
}
