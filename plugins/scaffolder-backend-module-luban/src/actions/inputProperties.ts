import type { createTemplateAction } from '@backstage/plugin-scaffolder-node';

type ActionSchema = NonNullable<Parameters<typeof createTemplateAction>[0]['schema']>;
type SchemaFields = Exclude<NonNullable<ActionSchema['input']>, (...args: any[]) => unknown>;
/** The zod the scaffolder hands to schema fields (`z => z.string()…`); this package does not depend on zod itself. */
export type Zod = Parameters<SchemaFields[string]>[0];

// Named field types: a declaration file cannot name zod's types through the scaffolder's copy.
type ZodString = ReturnType<Zod['string']>;
type ZodOptionalString = ReturnType<ZodString['optional']>;
type ZodStringArray = ReturnType<ZodString['array']>;
type ZodOptionalStringArray = ReturnType<ZodStringArray['optional']>;
type ZodStringRecord = ReturnType<ReturnType<Zod['record']>['describe']> & {
  _output: Record<string, string>;
  _input: Record<string, string>;
};

/*
 * The input and output fields several luban actions share, written once so
 * that a template author reads the same words on every action (the shape
 * of the GitHub module's inputProperties.ts).
 */

/** `project`: the luban project name. */
export const project = (z: Zod): ZodString => z.string().describe('The luban project name.');

/** `app`: the app name. */
export const app = (z: Zod): ZodString => z.string().describe('The app name.');

/** `gitopsRepoUrl`: the project GitOps repository. */
export const gitopsRepoUrl = (z: Zod): ZodString =>
  z.string().describe('The project GitOps repository, as a URL or in the RepoUrlPicker form.');

/** `environments`: which of luban.environments an action acts in; `purpose` says for what. */
export const environments = (purpose: string) => (z: Zod): ZodOptionalStringArray =>
  z.array(z.string()).optional().describe(`${purpose}; default: all of luban.environments.`);

/** `cluster`: a Kubernetes cluster by its configured name; `description` says whose. */
export const cluster =
  (description = 'The Kubernetes cluster of the namespaces; default: the first configured.') =>
  (z: Zod): ZodOptionalString =>
    z.string().optional().describe(description);

/** The cluster where Argo CD runs. */
export const argoCdCluster = cluster('The Kubernetes cluster where Argo CD runs; default: the first configured.');

/** `owner`: a catalog Group; `what` names what it owns and `example` a group. */
export const owner = (what: string, example: string) => (z: Zod): ZodString =>
  z.string().describe(`The Group entity that owns ${what}, e.g. ${example}.`);

/** Output `repoUrl`: the GitOps repository's web page. */
export const repoUrl = (z: Zod): ZodString => z.string().describe('The web page of the GitOps repository.');

/** Output `commitUrl`: the commit that wrote `what`. */
export const commitUrl = (what: string) => (z: Zod): ZodOptionalString =>
  z.string().optional().describe(`The commit that ${what}, when one was needed.`);

/** Output `pullRequestUrl`: the pull request that proposes `what` on a protected branch. */
export const pullRequestUrl = (what: string) => (z: Zod): ZodOptionalString =>
  z.string().optional().describe(`The pull request that proposes ${what}, when the branch is protected.`);

/** A record of strings by name; `description` says what it holds. */
export const record = (description: string) => (z: Zod): ZodStringRecord => z.record(z.string(), z.string()).describe(description);

/** Output `results`: what happened to each object; `description` says which. */
export const results = (description = 'What happened to each object.') => record(description);

/** Output `result`: what happened to the one object. */
export const result = (z: Zod): ZodString => z.string().describe('created, updated or unchanged.');

/** Output `appProject`: the Argo CD AppProject. */
export const appProject = (z: Zod): ZodString => z.string().describe('The AppProject name.');

/** An optional output record of strings; `description` says what it holds. */
export const optionalRecord = (description: string) => (z: Zod): ReturnType<ZodStringRecord['optional']> =>
  z.record(z.string(), z.string()).optional().describe(description);
