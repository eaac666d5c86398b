import type { ActionContext } from '@backstage/plugin-scaffolder-node';
import type { KubernetesGateway } from '@luban-backstage/plugin-luban-node';
import { applyObjects, objectKey, type ProvisionedObject } from '../provisioning/kubernetesObjects';

/** What an action's steps need of the scaffolder's context. */
export type StepContext = Pick<ActionContext<any, any>, 'isDryRun' | 'checkpoint' | 'logger'>;

/**
 * What a step did: what happened to each object it touched (`created`,
 * `updated`, `unchanged`, `kept`, …), and anything else the action outputs.
 */
export type StepOutcome = {
  results: Record<string, string>;
  [key: string]: string | number | boolean | string[] | Record<string, string> | undefined;
};

/**
 * One mutating call of an action, the one way every action makes it: in a
 * run, checkpointed under `key` so a retried task does not redo it; in a dry
 * run, `fn(true)` must only read and say what it would do. Logs each object's
 * result and returns them as the user sees them (`would be …` in a dry run).
 */
export async function step<T extends StepOutcome>(
  ctx: StepContext,
  key: string,
  fn: (dryRun: boolean) => Promise<T>,
): Promise<T> {
  const outcome = ctx.isDryRun ? await fn(true) : await ctx.checkpoint({ key, fn: () => fn(false) });
  const results: Record<string, string> = {};
  for (const [object, result] of Object.entries(outcome.results)) {
    results[object] = ctx.isDryRun ? `would be ${result}` : result;
    // The task page shows the message; the metadata is for log search.
    ctx.logger.info(`${object}: ${results[object]}`, { object, result: results[object], dryRun: Boolean(ctx.isDryRun) });
  }
  return { ...outcome, results };
}

/**
 * Applies objects on one cluster, each as its own {@link step} keyed
 * `<keyPrefix>.<cluster>.<Kind> <namespace>/<name>`, so a retried task
 * redoes none that succeeded; what happened to each, as the user sees it.
 */
export async function applyEachObject(
  ctx: StepContext,
  gateway: KubernetesGateway,
  options: {
    keyPrefix: string;
    project: string;
    objects: ProvisionedObject[];
    /** Names the cluster in results, for actions that write to several. */
    showCluster?: boolean;
  },
): Promise<Record<string, string>> {
  const results: Record<string, string> = {};
  const where = options.showCluster ? ` (cluster ${gateway.cluster.name})` : '';
  for (const object of options.objects) {
    const outcome = await step(ctx, `${options.keyPrefix}.${gateway.cluster.name}.${objectKey(object)}`, async dryRun => {
      const applied = await applyObjects(gateway, [object], { project: options.project, dryRun });
      return { results: Object.fromEntries(Object.entries(applied).map(([key, result]) => [`${key}${where}`, result])) };
    });
    Object.assign(results, outcome.results);
  }
  return results;
}
