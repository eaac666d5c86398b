/**
 * `luban-emulator`: runs the emulator as a process for `scripts/start`.
 *
 *   luban-emulator [--state-dir <dir>] [--kubernetes-port 7011] [--harbor-port 7012]
 *                  [--github-port 7013] [--azure-port 7014] [--seed] [--build-step-ms 1500]
 *                  [--argo-reconcile-ms 120000]
 *                  [--source-poll-ms 60000] [--luban-webhook-url <url>]
 *
 * The state directory keeps the API server's certificate and token across
 * restarts and receives `kubeconfig`, `ca.crt` and `token`, which the
 * Backstage backend's config and kubectl read.
 *
 * With `--luban-webhook-url` (and the secret in LUBAN_WEBHOOK_SECRET), the
 * demo's source repositories deliver their pushes to luban, which has kpack
 * build a pushed commit at once; otherwise kpack sees it at its next source
 * poll (`--source-poll-ms`, one minute as kpack).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DEMO_PROJECTS, seedDemo } from './seed';
import { startEmulator } from './server';
import { createSelfSignedIdentity, type TlsIdentity } from './tls';

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

function readOrCreate(file: string, create: () => string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8');
  const value = create();
  writeFileSync(file, value, { mode: 0o600 });
  return value;
}

async function main() {
  const stateDir = resolve(option('state-dir') ?? '.luban-emulator');
  mkdirSync(stateDir, { recursive: true });
  const token = readOrCreate(join(stateDir, 'token'), () => randomBytes(24).toString('hex')).trim();
  let identity: TlsIdentity | undefined;
  const tls = () => (identity ??= createSelfSignedIdentity());
  const cert = readOrCreate(join(stateDir, 'ca.crt'), () => tls().cert);
  const key = readOrCreate(join(stateDir, 'tls.key'), () => tls().key);

  /** A duration option in milliseconds: a whole number, at least `min` (a 0 ms poll would spin). */
  const milliseconds = (name: string, min: number): number | undefined => {
    const value = option(name);
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value) || Number(value) < min) {
      throw new Error(`--${name} must be a whole number of milliseconds, at least ${min}; got '${value}'`);
    }
    return Number(value);
  };
  const sourcePollMs = milliseconds('source-poll-ms', 100);
  // 0 turns Argo CD's periodic refresh off, as timeout.reconciliation: 0s does.
  const argoReconcileMs = milliseconds('argo-reconcile-ms', 0);
  const emulator = await startEmulator({
    ports: {
      kubernetes: Number(option('kubernetes-port') ?? 0),
      harbor: Number(option('harbor-port') ?? 0),
      github: Number(option('github-port') ?? 0),
      azure: Number(option('azure-port') ?? 0),
    },
    token,
    tls: { cert, key },
    ...(sourcePollMs !== undefined ? { sourcePollMs } : {}),
    // Argo CD's timeout.reconciliation; luban refreshes what it changes, so the default shows real timing.
    ...(argoReconcileMs !== undefined ? { argoReconcileMs } : {}),
  });
  if (process.argv.includes('--seed')) {
    // The demo's history is built at full speed; builds started later run at demo pace.
    const webhookUrl = option('luban-webhook-url');
    const webhookSecret = process.env.LUBAN_WEBHOOK_SECRET;
    await seedDemo(emulator, {
      ...(webhookUrl && webhookSecret ? { lubanWebhook: { url: webhookUrl, secret: webhookSecret } } : {}),
      // As onboarding leaves a project: the demo's prd promotion waits for a review.
      protectGitOps: true,
    });
  }
  emulator.setBuildStepMs(Number(option('build-step-ms') ?? 1500));
  const kubeconfigFile = join(stateDir, 'kubeconfig');
  writeFileSync(kubeconfigFile, emulator.kubernetes.kubeconfig(), { mode: 0o600 });
  process.stdout.write(
    [
      'luban emulator running',
      `  kubernetes    ${emulator.kubernetes.url}   (kubectl --kubeconfig ${kubeconfigFile} get ns)`,
      `  harbor        ${emulator.harbor.url}/api/v2.0   (user ${emulator.harbor.username})`,
      `  github        ${emulator.github.url}   (REST ${emulator.github.apiBaseUrl})`,
      `  azure devops  ${emulator.azure.organizationUrl}`,
      `  credential    ${join(stateDir, 'token')}`,
      ...(process.argv.includes('--seed')
        ? DEMO_PROJECTS.map(
            (demo, index) =>
              `  ${index === 0 ? 'demo' : '    '}          project ${demo.project} of ${demo.owner}, app ${demo.app} (2 builds, snd ahead of prd)`,
          )
        : []),
      '',
    ].join('\n'),
  );
  const shutdown = () => {
    emulator.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch(error => {
  process.stderr.write(`luban emulator failed to start: ${error?.stack ?? error}\n`);
  process.exit(1);
});
