import { makeFieldSchema } from '@backstage/plugin-scaffolder-react';

/**
 * The LubanRepoUrlPicker's value (a RepoUrlPicker value, `host?owner=…&repo=…`)
 * and its `ui:options`: those of Backstage's RepoUrlPicker, passed on, and
 * the naming convention that prefills it.
 */
export const LubanRepoUrlPickerSchema = makeFieldSchema({
  output: z => z.string(),
  // Backstage's RepoUrlPicker options (allowedHosts, repoLabel, …) are passed on as they are.
  uiOptions: z =>
    z.object({
      namedAfter: z
        .enum(['project-gitops', 'app'])
        .describe(
          "project-gitops: the form's project name with -gitops added; app: the form's app name",
        ),
      besideGitOpsOf: z
        .string()
        .optional()
        .describe(
          'The form field holding the entity (project System or Dagster Resource) whose GitOps repository the new one sits beside, on the same host and organization',
        ),
      allowedHosts: z.array(z.string()).optional(),
    }),
});

/** The props the scaffolder gives the LubanRepoUrlPicker. */
export type LubanRepoUrlPickerProps = typeof LubanRepoUrlPickerSchema.TProps;
