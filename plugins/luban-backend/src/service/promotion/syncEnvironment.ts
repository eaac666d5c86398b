import { InputError } from '@backstage/errors';
import { argoCdApplicationName, type LubanSyncResult } from '@luban-backstage/plugin-luban-common';
import { EntityTargets, type LubanTarget } from '../EntityTargets';
import type { Actor } from '../types';
import type { PromotionSources } from './PromotionStateReader';

/**
 * Starts an Argo CD sync of the merged revision of the GitOps branch in an
 * environment that does not sync by itself, as Argo CD's Sync button does
 * (the Application's `operation`); Argo CD runs it, and the Delivery view
 * shows its progress from `status.operationState`.
 */
export async function syncEnvironment(
  sources: PromotionSources,
  target: LubanTarget,
  envName: string,
  actor: Actor,
  options: { dryRun?: boolean } = {},
): Promise<LubanSyncResult> {
  const env = target.environments.find(e => e.name === envName);
  if (!env) {
    throw new InputError(`'${envName}' is not an environment; the environments are ${target.environments.map(e => e.name).join(', ')}`);
  }
  if (env.autoSync) {
    throw new InputError(`${env.name} syncs automatically: Argo CD deploys every merged change there by itself`);
  }
  const repo = EntityTargets.requireGitopsRepo(target);
  const revision = await sources.git.forRepository(repo).getBranch(repo, sources.gitopsBranch);
  if (!revision) throw new InputError(`The GitOps repository ${repo.webUrl} has no branch '${sources.gitopsBranch}' to sync from`);
  const application = argoCdApplicationName(env.name, target.project, target.app);
  if (options.dryRun) return { environment: env.name, application, revision, dryRun: true };
  await sources.clusters
    .gateway(env.cluster)
    .syncApplication(sources.argoCdNamespace, application, { revision, username: actor.userEntityRef ?? 'luban' });
  return { environment: env.name, application, revision };
}
