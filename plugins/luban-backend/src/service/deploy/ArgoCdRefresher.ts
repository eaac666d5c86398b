import type { LoggerService } from '@backstage/backend-plugin-api';
import { applicationFollows, argoCdRefreshPatch, type GitOpsSourceChange } from '@luban-backstage/plugin-luban-node';
import type { ClusterAccess } from '../ClusterAccess';

/**
 * Asks Argo CD to look at git now after a GitOps branch moved — luban's own
 * commit, or a push the git host delivered — instead of at its next
 * reconciliation (minutes on a real install). Luban sets the refresh
 * annotation on every Application that follows the change, as Argo CD's own
 * webhook handler does (argo-cd `util/webhook/webhook.go`). A failure is only
 * logged: Argo CD still sees the commit at its next period.
 */
export class ArgoCdRefresher {
  constructor(private readonly options: { clusters: ClusterAccess; logger: LoggerService }) {}

  /** Refreshes the Applications of the clusters named that follow the change; resolves with their names. */
  async refresh(clusterNames: Iterable<string>, change: GitOpsSourceChange, reason: string): Promise<string[]> {
    const refreshed: string[] = [];
    for (const cluster of new Set(clusterNames)) {
      try {
        refreshed.push(...(await this.refreshOn(cluster, change, reason)));
      } catch (error) {
        this.options.logger.warn('luban could not ask Argo CD to refresh', { cluster, repository: change.repositoryUrl, error: String(error) });
      }
    }
    return refreshed;
  }

  private async refreshOn(cluster: string, change: GitOpsSourceChange, reason: string): Promise<string[]> {
    const { clusters, logger } = this.options;
    const applications = (await clusters.applications(cluster)).list(object => applicationFollows(object, change));
    const gateway = clusters.gateway(cluster);
    const names: string[] = [];
    for (const application of applications) {
      const name = application.metadata?.name ?? '';
      const namespace = application.metadata?.namespace ?? '';
      try {
        await gateway.mergePatch({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name, namespace } }, argoCdRefreshPatch());
        logger.info('luban asked Argo CD to refresh an application', { application: `${namespace}/${name}`, cluster, reason });
        names.push(name);
      } catch (error) {
        logger.warn('luban could not ask Argo CD to refresh an application', { application: `${namespace}/${name}`, cluster, error: String(error) });
      }
    }
    return names;
  }
}
