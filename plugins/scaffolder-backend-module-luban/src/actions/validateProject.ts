import { InputError } from '@backstage/errors';
import type { ScmIntegrationRegistry } from '@backstage/integration';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  deriveProjectNames,
  findNameProblem,
  gitopsRepositoryName,
  PROJECT_NAME_MAX_LENGTH,
  APP_NAME_MAX_LENGTH,
  type LubanEnvironment,
} from '@luban-backstage/plugin-luban-common';
import { parseRepoLocation, siblingRepository, type RepoLocation } from '@luban-backstage/plugin-luban-node';
import { examples } from './validateProject.examples';
import type { Zod } from './inputProperties';
import { requireGroupRef } from './inputs';
import type { ProjectGuard } from './projectGuard';

/** Whether a template gave a value (an unset annotation or parameter renders as an empty string). */
function given(value: string | undefined): boolean {
  return typeof value === 'string' && value.trim() !== '';
}

function describeRepository(repo: RepoLocation) {
  return { provider: repo.provider, name: repo.repo, webUrl: repo.webUrl, cloneUrl: repo.cloneUrl };
}

/** The fields that describe a repository in the outputs. */
const repositoryFields = (z: Zod) => ({
  provider: z.enum(['github', 'azure']).describe('The git host type.'),
  name: z.string().describe('The repository name.'),
  webUrl: z.string().describe("The repository's web page."),
  cloneUrl: z.string().describe('The URL git clones.'),
});

/** Checks the project and app names against the naming rules; an app listed twice is an error too. */
function requireNames(project: string, apps: string[]) {
  const projectProblem = findNameProblem('project', project);
  if (projectProblem) {
    throw new InputError(`Input 'project': ${projectProblem}`);
  }
  apps.forEach((app, index) => {
    const appProblem = findNameProblem('app', app);
    if (appProblem) {
      throw new InputError(`Input 'apps[${index}]': ${appProblem}`);
    }
  });
  const duplicate = apps.find((app, index) => apps.indexOf(app) !== index);
  if (duplicate) {
    throw new InputError(`Input 'apps': '${duplicate}' is listed twice`);
  }
}

const schema = {
  input: {
    project: (z: Zod) =>
      z
        .string()
        .describe(
          `The luban project name: lowercase letters, digits and '-', starting with a letter, at most ${PROJECT_NAME_MAX_LENGTH} characters.`,
        ),
    apps: (z: Zod) =>
      z
        .array(z.string())
        .optional()
        .describe(
          `App names to check as well (same rules, at most ${APP_NAME_MAX_LENGTH} characters).`,
        ),
    sourceRepoUrl: (z: Zod) =>
      z
        .string()
        .optional()
        .describe("An app's source repository, as a URL or in the RepoUrlPicker form, to check and describe."),
    gitopsRepoUrl: (z: Zod) =>
      z
        .string()
        .optional()
        .describe(
          "The project GitOps repository; default, when sourceRepoUrl is given: the '<project>-gitops' repository next to it.",
        ),
    owner: (z: Zod) =>
      z
        .string()
        .optional()
        .describe(
          'When onboarding: the Group that will own the project; checks that you may onboard it for that group. Without it, the project must exist and be owned by a group you are a member of.',
        ),
  },
  output: {
    ciNamespace: (z: Zod) =>
      z.string().describe('The namespace builds run in: ci-<project>.'),
    namespaces: (z: Zod) =>
      z
        .record(z.string(), z.string())
        .describe('The namespace of each environment, by environment name.'),
    harborProject: (z: Zod) => z.string().describe('The Harbor project name.'),
    gitopsRepository: (z: Zod) =>
      z.string().describe('The name of the project GitOps repository.'),
    argoCdProject: (z: Zod) => z.string().describe('The Argo CD AppProject name.'),
    sourceRepo: (z: Zod) =>
      z
        .object({
          ...repositoryFields(z),
          sourceLocation: z.string().describe('The value of backstage.io/source-location, without its url: prefix.'),
          githubSlug: z.string().optional().describe('owner/repo, on GitHub.'),
        })
        .optional()
        .describe('The source repository, when sourceRepoUrl was given.'),
    gitopsRepo: (z: Zod) =>
      z
        .object(repositoryFields(z))
        .optional()
        .describe('The GitOps repository, when either repository was given.'),
  },
};

/**
 * `luban:project:validate` checks a project name (and app names) against the
 * platform's naming rules and outputs every name luban derives from it, so a
 * template fails on its first step, with a clear message, before anything is
 * created. Given repositories, it checks that they are on a configured
 * GitHub or Azure DevOps host and outputs their addresses. It checks that the
 * task's user may onboard the project for `owner`, or change it; it reads
 * only the project record.
 */
export function createValidateProjectAction(options: {
  environments: LubanEnvironment[];
  integrations: ScmIntegrationRegistry;
  guard: ProjectGuard;
}) {
  return createTemplateAction({
    id: 'luban:project:validate',
    description:
      'Checks a luban project name (and app names) and outputs the namespaces, Harbor project, GitOps repository and Argo CD project derived from it.',
    examples,
    supportsDryRun: true,
    schema,
    async handler(ctx) {
      const { project, apps = [] } = ctx.input;
      requireNames(project, apps);

      const source = given(ctx.input.sourceRepoUrl) ? parseRepoLocation(ctx.input.sourceRepoUrl!, options.integrations) : undefined;
      let gitops: RepoLocation | undefined;
      if (given(ctx.input.gitopsRepoUrl)) {
        gitops = parseRepoLocation(ctx.input.gitopsRepoUrl!, options.integrations);
      } else if (source) {
        gitops = siblingRepository(source, gitopsRepositoryName(project));
      }

      const owner = given(ctx.input.owner) ? requireGroupRef('owner', ctx.input.owner!) : undefined;
      await options.guard.check(ctx, project, { owner, gitopsRepository: gitops?.webUrl });

      const names = deriveProjectNames(project, options.environments);
      const namespaces = [names.ciNamespace, ...Object.values(names.environmentNamespaces)];
      // The task page shows the message; the metadata is for log search.
      ctx.logger.info(
        `Project '${project}' is valid: namespaces ${namespaces.join(', ')}; Harbor project '${names.harborProject}'; GitOps repository '${names.gitopsRepository}'`,
        { project, namespaces: namespaces.join(','), harborProject: names.harborProject, gitopsRepository: names.gitopsRepository },
      );
      ctx.output('ciNamespace', names.ciNamespace);
      ctx.output('namespaces', names.environmentNamespaces);
      ctx.output('harborProject', names.harborProject);
      ctx.output('gitopsRepository', names.gitopsRepository);
      ctx.output('argoCdProject', names.argoCdProject);
      if (source) {
        ctx.output('sourceRepo', {
          ...describeRepository(source),
          sourceLocation: source.provider === 'github' ? `${source.webUrl}/tree/main/` : source.webUrl,
          ...(source.provider === 'github' ? { githubSlug: `${source.owner}/${source.repo}` } : {}),
        });
      }
      if (gitops) ctx.output('gitopsRepo', describeRepository(gitops));
    },
  });
}
