import { InputError } from '@backstage/errors';
import type { ScmIntegrationRegistry } from '@backstage/integration';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  BUILDER_SERVICE_ACCOUNT,
  ciNamespaceName,
  harborProjectName,
  imageRepository,
  kpackImageName,
  LUBAN_LABELS,
  LUBAN_MANAGED_BY,
} from '@luban-backstage/plugin-luban-common';
import {
  parseRepoLocation,
  type KubernetesGateway,
  type HarborClient,
  type LubanClusters,
  type LubanConfig,
} from '@luban-backstage/plugin-luban-node';
import { cacheOnReRun, configuredCache } from '../provisioning/kpackCache';
import { type GitReadCredentials, KPACK_GIT_SECRET, kpackGitSecret } from '../provisioning/gitReadSecrets';
import { applyObjects } from '../provisioning/kubernetesObjects';
import { examples } from './kpackImage.examples';
import * as fields from './inputProperties';
import { requireName } from './inputs';
import type { ProjectGuard } from './projectGuard';
import { step } from './step';

const BRANCH = /^(?!\/|.*\/\/|.*\.\.|.*@\{|.*\.lock$|.*[\s~^:?*[\\]).{1,200}$/;

const schema = {
  input: {
    project: fields.project,
    app: (z: fields.Zod) => z.string().describe('The app name; also the Image name and the image repository name.'),
    sourceRepoUrl: (z: fields.Zod) =>
      z.string().describe('The source repository: a URL or the RepoUrlPicker form (host?owner=…&repo=…), on a configured integration host.'),
    branch: (z: fields.Zod) => z.string().optional().describe('The branch kpack builds; default main.'),
    subPath: (z: fields.Zod) => z.string().optional().describe('The folder of the app inside the repository, when not at its root.'),
    cluster: fields.cluster('The Kubernetes cluster; default: the first configured.'),
  },
  output: {
    image: (z: fields.Zod) => z.string().describe('The kpack Image, as <namespace>/<name>.'),
    tag: (z: fields.Zod) => z.string().describe('The image tag kpack pushes.'),
    result: fields.result,
    harborProjectUrl: (z: fields.Zod) => z.string().optional().describe("The Harbor page of the project's images, once the project exists."),
  },
};

/** Checks the branch and the folder kpack builds. */
function requireSource(branch: string, subPath: string | undefined) {
  if (!BRANCH.test(branch)) {
    throw new InputError(`Input 'branch': '${branch}' is not a valid git branch name`);
  }
  if (subPath !== undefined && (!/^[A-Za-z0-9_.\/-]+$/.test(subPath) || subPath.split('/').includes('..') || subPath.startsWith('/'))) {
    throw new InputError(`Input 'subPath': '${subPath}' must be a relative folder path inside the repository`);
  }
}

/** The kpack Image of an app: built from its source, pushed to the project's Harbor project. */
function kpackImage(options: {
  project: string;
  app: string;
  tag: string;
  source: { url: string; revision: string; subPath?: string };
  defaults: LubanConfig['kpack'];
}) {
  const { project, app, source } = options;
  const cache = configuredCache(options.defaults.cache);
  return {
    apiVersion: 'kpack.io/v1alpha2',
    kind: 'Image',
    metadata: {
      name: kpackImageName(app),
      namespace: ciNamespaceName(project),
      labels: { [LUBAN_LABELS.project]: project, [LUBAN_LABELS.app]: app, [LUBAN_LABELS.managedBy]: LUBAN_MANAGED_BY },
    },
    spec: {
      tag: options.tag,
      serviceAccountName: BUILDER_SERVICE_ACCOUNT,
      builder: options.defaults.builder,
      source: { git: { url: source.url, revision: source.revision }, ...(source.subPath ? { subPath: source.subPath } : {}) },
      ...(cache ? { cache } : {}),
      imageTaggingStrategy: 'BuildNumber',
      successBuildHistoryLimit: 10,
      failedBuildHistoryLimit: 10,
    },
  };
}

/** The builder service account with the git Secret added, when it exists without it (made before luban wrote one). */
async function builderListingGitSecret(gateway: KubernetesGateway, namespace: string) {
  const ref = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: BUILDER_SERVICE_ACCOUNT, namespace } };
  const account = await gateway.get<any>(ref as any);
  const secrets: Array<{ name: string }> = account?.secrets ?? [];
  if (!account || secrets.some(s => s.name === KPACK_GIT_SECRET)) return [];
  return [{ ...ref, metadata: { ...ref.metadata, labels: account.metadata.labels }, secrets: [...secrets, { name: KPACK_GIT_SECRET }] }];
}

/**
 * `luban:kpack:image`: the kpack Image that builds an app, in
 * `ci-<project>` on the default cluster (where builds run), tagging into the
 * project's Harbor project.
 */
export function createKpackImageAction(options: {
  clusters: LubanClusters;
  integrations: ScmIntegrationRegistry;
  gitRead: GitReadCredentials;
  harbor: HarborClient | undefined;
  defaults: LubanConfig['kpack'];
  guard: ProjectGuard;
}) {
  return createTemplateAction({
    id: 'luban:kpack:image',
    description:
      "Creates (or brings up to date) the kpack Image that builds an app from its source repository into the project's Harbor project.",
    examples,
    supportsDryRun: true,
    schema,
    async handler(ctx) {
      const project = requireName('project', 'project', ctx.input.project);
      const app = requireName('app', 'app', ctx.input.app);
      const source = parseRepoLocation(ctx.input.sourceRepoUrl, options.integrations);
      const branch = ctx.input.branch ?? 'main';
      requireSource(branch, ctx.input.subPath);
      const harbor = options.harbor;
      if (!harbor) {
        throw new InputError('luban:kpack:image needs luban.harbor in the app configuration: it names the registry images are pushed to');
      }
      // Before anything is written: a host luban cannot give kpack a lasting credential for fails here.
      const credential = options.gitRead.for(source);
      await options.guard.check(ctx, project);
      const gateway = options.clusters.gateway(ctx.input.cluster);
      const tag = `${imageRepository(harbor.registryHost, project, app)}:latest`;
      const image = kpackImage({
        project,
        app,
        tag,
        source: { url: source.cloneUrl, revision: branch, subPath: ctx.input.subPath },
        defaults: options.defaults,
      });
      const { namespace } = image.metadata;
      // kpack resolves and clones with the builder account's Secrets only, so they come before the Image.
      await step(ctx, `luban.kpack.git.${gateway.cluster.name}.${namespace}`, async dryRun => ({
        results: await applyObjects(gateway, [kpackGitSecret(project, source, credential), ...(await builderListingGitSecret(gateway, namespace))], {
          project,
          dryRun,
        }),
      }));
      const key = `luban.kpack.image.${gateway.cluster.name}.${namespace}.${app}`;
      const outcome = await step(ctx, key, async dryRun => {
        const { cache, kept } = cacheOnReRun(await gateway.get(image), image.spec.cache);
        if (kept) ctx.logger.warn(`kpack Image ${namespace}/${app} ${kept}`, { image: `${namespace}/${app}` });
        const desired = { ...image, spec: { ...image.spec, ...(cache ? { cache } : {}) } };
        return { results: await applyObjects(gateway, [desired], { project, dryRun }) };
      });
      // The task page shows the message; the metadata is for log search.
      ctx.logger.info(`kpack Image ${namespace}/${app} builds ${source.cloneUrl} @ ${branch} into ${tag}`, {
        image: `${namespace}/${app}`,
        source: source.cloneUrl,
        branch,
        tag,
      });
      ctx.output('image', `${namespace}/${app}`);
      ctx.output('tag', tag);
      ctx.output('result', Object.values(outcome.results)[0]);
      // Only a link for the user: a Harbor that does not answer must not fail a created Image.
      try {
        const harborProject = await harbor.getProject(harborProjectName(project));
        if (harborProject) ctx.output('harborProjectUrl', harbor.projectWebUrl(harborProject));
      } catch (error) {
        const reason = (error as Error).message;
        ctx.logger.warn(`No link to the Harbor project: ${reason}`, { project, reason });
      }
    },
  });
}
