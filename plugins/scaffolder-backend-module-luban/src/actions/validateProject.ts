import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  deriveProjectNames,
  findNameProblem,
  PROJECT_NAME_MAX_LENGTH,
  APP_NAME_MAX_LENGTH,
  type LubanEnvironment,
} from '@luban-backstage/plugin-luban-common';
import { examples } from './validateProject.examples';

/**
 * `luban:project:validate` checks a project name (and app names) against the
 * platform's naming rules and outputs every name luban derives from it, so a
 * template fails on its first step, with a clear message, before anything is
 * created. It makes no call to any system.
 */
export function createValidateProjectAction(options: {
  environments: LubanEnvironment[];
}) {
  return createTemplateAction({
    id: 'luban:project:validate',
    description:
      'Checks a luban project name (and app names) and outputs the namespaces, Harbor project, GitOps repository and Argo CD project derived from it.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        project: z =>
          z
            .string()
            .describe(
              `The luban project name: lowercase letters, digits and '-', starting with a letter, at most ${PROJECT_NAME_MAX_LENGTH} characters.`,
            ),
        apps: z =>
          z
            .array(z.string())
            .optional()
            .describe(
              `App names to check as well (same rules, at most ${APP_NAME_MAX_LENGTH} characters).`,
            ),
      },
      output: {
        ciNamespace: z =>
          z.string().describe('The namespace builds run in: ci-<project>.'),
        namespaces: z =>
          z
            .record(z.string(), z.string())
            .describe('The namespace of each environment, by environment name.'),
        harborProject: z => z.string().describe('The Harbor project name.'),
        gitopsRepository: z =>
          z.string().describe('The name of the project GitOps repository.'),
        argoCdProject: z => z.string().describe('The Argo CD AppProject name.'),
      },
    },
    async handler(ctx) {
      const { project, apps = [] } = ctx.input;
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

      const names = deriveProjectNames(project, options.environments);
      ctx.logger.info(
        `Project '${project}' is valid: namespaces ${[
          names.ciNamespace,
          ...Object.values(names.environmentNamespaces),
        ].join(', ')}; Harbor project '${names.harborProject}'; GitOps repository '${names.gitopsRepository}'`,
      );
      ctx.output('ciNamespace', names.ciNamespace);
      ctx.output('namespaces', names.environmentNamespaces);
      ctx.output('harborProject', names.harborProject);
      ctx.output('gitopsRepository', names.gitopsRepository);
      ctx.output('argoCdProject', names.argoCdProject);
    },
  });
}
