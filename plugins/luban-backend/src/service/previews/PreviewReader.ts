import type { KubernetesObject } from '@kubernetes/client-node';
import type { LubanPreview } from '@luban-backstage/plugin-luban-common';
import { appAddress, type GitProviders } from '@luban-backstage/plugin-luban-node';
import type { ClusterAccess } from '../ClusterAccess';
import type { LubanTarget } from '../EntityTargets';
import { PREVIEW_LABELS } from './previewObjects';

type Application = KubernetesObject & { spec?: any; status?: any };

/** The digest of a kustomize image override `<name>=<repository>@<digest>`. */
function digestOf(application: Application): string | undefined {
  const [image] = (application.spec?.source?.kustomize?.images ?? []) as string[];
  const at = image?.lastIndexOf('@') ?? -1;
  return at >= 0 ? image.slice(at + 1) : undefined;
}

/** The host the preview's HTTPRoute patch gives (see previewApplication), as an address. */
function addressOf(application: Application): string | undefined {
  for (const patch of (application.spec?.source?.kustomize?.patches ?? []) as Array<{ target?: { kind?: string }; patch?: string }>) {
    if (patch.target?.kind !== 'HTTPRoute' || !patch.patch) continue;
    try {
      const operations = JSON.parse(patch.patch) as Array<{ path?: string; value?: unknown }>;
      const hostnames = operations.find(o => o.path === '/spec/hostnames')?.value;
      if (Array.isArray(hostnames) && typeof hostnames[0] === 'string') return appAddress(hostnames[0]);
    } catch {
      // Not luban's patch: no address rather than a failed page.
    }
  }
  return undefined;
}

/**
 * The open pull-request previews of an app, read from the Argo CD
 * Applications PreviewService labels (`luban.dev/preview-of`,
 * `luban.dev/project`, `luban.dev/pull-request`) in the first environment's
 * cluster, through the same synced informer as the Delivery view: a read
 * costs no request once the informer has listed.
 */
export class PreviewReader {
  constructor(private readonly options: { clusters: Pick<ClusterAccess, 'applications'>; git: GitProviders }) {}

  async list(target: LubanTarget): Promise<LubanPreview[]> {
    const environment = target.environments[0];
    if (!environment) return [];
    const informer = await this.options.clusters.applications(environment.cluster);
    const applications = informer.list(application => {
      const labels = application.metadata?.labels ?? {};
      return labels[PREVIEW_LABELS.of] === target.app && labels[PREVIEW_LABELS.project] === target.project && !application.metadata?.deletionTimestamp;
    }) as Application[];
    const previews = applications.flatMap(application => {
      const number = Number(application.metadata?.labels?.[PREVIEW_LABELS.pullRequest]);
      if (!Number.isInteger(number) || number <= 0) return [];
      return [this.previewOf(target, environment.name, application, number)];
    });
    return previews.sort((a, b) => b.pullRequest.number - a.pullRequest.number);
  }

  private previewOf(target: LubanTarget, environment: string, application: Application, number: number): LubanPreview {
    const repo = target.sourceRepo;
    const url = repo ? this.options.git.forRepository(repo).webUrlOfPullRequest(repo, number) : undefined;
    const digest = digestOf(application);
    const address = addressOf(application);
    const sync = application.status?.sync?.status;
    const health = application.status?.health?.status;
    const createdAt = application.metadata?.creationTimestamp;
    return {
      pullRequest: { number, ...(url ? { url } : {}) },
      application: application.metadata?.name ?? '',
      environment,
      ...(digest ? { digest } : {}),
      ...(address ? { address } : {}),
      ...(sync ? { sync } : {}),
      ...(health ? { health } : {}),
      ...(createdAt ? { createdAt: new Date(createdAt).toISOString() } : {}),
    };
  }
}
