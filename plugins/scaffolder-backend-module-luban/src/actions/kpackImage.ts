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
  type HarborClient,
  KubernetesGateway,
  parseRepoLocation,
  selectCluster,
  type LubanCluster,
} from '@luban-backstage/plugin-luban-node';
import { examples } from './kpackImage.examples';
import { requireName } from './inputs';

/** The kpack settings of new Images (`luban.kpack`). */
export interface KpackDefaults {
  builder: { kind: 'ClusterBuilder' | 'Builder'; name: string };
  cacheSize: string;
}

const BRANCH = /^(?!\/|.*\/\/|.*\.\.|.*@\{|.*\.lock$|.*[\s~^:?*[\\]).{1,200}$/;

/**
 * `luban:kpack:image`: the kpack Image that builds an app, in
 * `ci-<project>`, tagging into the project's Harbor project.
 */
export function createKpackImageAction(options: {
  clusters: LubanCluster[];
  integrations: ScmIntegrationRegistry;
  harbor: HarborClient | undefined;
  defaults: KpackDefaults;
  requestTimeoutMs: number;
}) {
  return createTemplateAction({
    id: 'luban:kpack:image',
    description:
      "Creates (or brings up to date) the kpack Image that builds an app from its source repository into the project's Harbor project.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        project: z => z.string().describe('The luban project name.'),
        app: z => z.string().describe('The app name; also the Image name and the image repository name.'),
        sourceRepoUrl: z =>
          z.string().describe('The source repository: a URL or the RepoUrlPicker form (host?owner=…&repo=…), on a configured integration host.'),
        branch: z => z.string().optional().describe('The branch kpack builds; default main.'),
        subPath: z => z.string().optional().describe('The folder of the app inside the repository, when not at its root.'),
        cluster: z => z.string().optional().describe('The Kubernetes cluster; default: the first configured.'),
      },
      output: {
        image: z => z.string().describe('The kpack Image, as <namespace>/<name>.'),
        tag: z => z.string().describe('The image tag kpack pushes.'),
        result: z => z.string().describe('created, updated or unchanged.'),
        harborProjectUrl: z => z.string().optional().describe("The Harbor page of the project's images, once the project exists."),
      },
    },
    async handler(ctx) {
      const project = requireName('project', 'project', ctx.input.project);
      const app = requireName('app', 'app', ctx.input.app);
      const source = parseRepoLocation(ctx.input.sourceRepoUrl, options.integrations);
      const branch = ctx.input.branch ?? 'main';
      if (!BRANCH.test(branch)) {
        throw new InputError(`Input 'branch': '${branch}' is not a valid git branch name`);
      }
      const subPath = ctx.input.subPath;
      if (subPath !== undefined && (!/^[A-Za-z0-9_.\/-]+$/.test(subPath) || subPath.split('/').includes('..') || subPath.startsWith('/'))) {
        throw new InputError(`Input 'subPath': '${subPath}' must be a relative folder path inside the repository`);
      }
      const harbor = options.harbor;
      if (!harbor) {
        throw new InputError('luban:kpack:image needs luban.harbor in the app configuration: it names the registry images are pushed to');
      }
      const cluster = selectCluster(options.clusters, ctx.input.cluster);
      const gateway = new KubernetesGateway(cluster, { requestTimeoutMs: options.requestTimeoutMs });
      const namespace = ciNamespaceName(project);
      const tag = `${imageRepository(harbor.registryHost, project, app)}:latest`;
      const image = {
        apiVersion: 'kpack.io/v1alpha2',
        kind: 'Image',
        metadata: {
          name: kpackImageName(app),
          namespace,
          labels: {
            [LUBAN_LABELS.project]: project,
            [LUBAN_LABELS.app]: app,
            [LUBAN_LABELS.managedBy]: LUBAN_MANAGED_BY,
          },
        },
        spec: {
          tag,
          serviceAccountName: BUILDER_SERVICE_ACCOUNT,
          builder: options.defaults.builder,
          source: { git: { url: source.cloneUrl, revision: branch }, ...(subPath ? { subPath } : {}) },
          cache: { volume: { size: options.defaults.cacheSize } },
          imageTaggingStrategy: 'BuildNumber',
          successBuildHistoryLimit: 10,
          failedBuildHistoryLimit: 10,
        },
      };
      const apply = () => gateway.apply(image, { dryRun: ctx.isDryRun, owner: { label: LUBAN_LABELS.project, value: project } });
      const result = ctx.isDryRun
        ? (await apply()).result
        : await ctx.checkpoint({ key: `luban.kpack.image.${cluster.name}.${namespace}.${app}`, fn: async () => (await apply()).result });
      ctx.logger.info(`kpack Image ${namespace}/${app} (${source.cloneUrl} @ ${branch} → ${tag}): ${ctx.isDryRun ? `would be ${result}` : result}`);
      ctx.output('image', `${namespace}/${app}`);
      ctx.output('tag', tag);
      ctx.output('result', ctx.isDryRun ? `would be ${result}` : result);
      // Only a link for the user: a Harbor that does not answer must not fail a created Image.
      try {
        const harborProject = await harbor.getProject(harborProjectName(project));
        if (harborProject) ctx.output('harborProjectUrl', harbor.projectWebUrl(harborProject));
      } catch (error) {
        ctx.logger.warn(`No link to the Harbor project: ${(error as Error).message}`);
      }
    },
  });
}
