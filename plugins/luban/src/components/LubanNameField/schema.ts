import { makeFieldSchema } from '@backstage/plugin-scaffolder-react';

/**
 * The LubanNameField's value (the name) and its `ui:options`: which kind of
 * name it is, project or app, decides the naming rule and which catalog kind
 * a taken name is looked up in.
 */
export const LubanNameFieldSchema = makeFieldSchema({
  output: z => z.string(),
  uiOptions: z =>
    z.object({
      kind: z
        .enum(['project', 'app'])
        .describe(
          'project: a luban project (a catalog System); app: an app or code location (a catalog Component)',
        ),
    }),
});

/** The props the scaffolder gives the LubanNameField. */
export type LubanNameFieldProps = typeof LubanNameFieldSchema.TProps;
