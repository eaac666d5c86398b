import type { LubanEnvironment, LubanEnvironmentState } from '@luban-backstage/plugin-luban-common';
import { decideAutomaticChanges, type AutomationInputs } from './releaseDecisions';

const NEW = `sha256:${'a'.repeat(64)}`;
const OLD = `sha256:${'b'.repeat(64)}`;
const NOW = new Date('2026-12-07T12:00:00Z');
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();
const argoCd = (syncStatus: string, healthStatus: string) => ({ application: 'app', syncStatus, healthStatus });
const ENVIRONMENTS: LubanEnvironment[] = [
  { name: 'snd', namespacePattern: '{env}-{project}' },
  { name: 'prd', namespacePattern: '{env}-{project}', promotesFrom: 'snd' },
];

function decide(envs: { snd?: Partial<LubanEnvironmentState>; prd?: Partial<LubanEnvironmentState> }, inputs: Partial<AutomationInputs> = {}) {
  const state = (name: string, digest: string, overrides: Partial<LubanEnvironmentState> = {}): LubanEnvironmentState => ({
    name,
    overlayPath: `apps/a/overlays/${name}/kustomization.yaml`,
    digest,
    argoCd: argoCd('Synced', 'Healthy'),
    rollout: 'deployed',
    deployedAt: minutesAgo(60),
    ...overrides,
  });
  return decideAutomaticChanges({
    environments: ENVIRONMENTS,
    state: { gitopsRepo: 'https://github.com/o/o-gitops', environments: [state('snd', NEW, envs.snd), state('prd', OLD, envs.prd)] },
    releaseTagOf: () => undefined,
    rollbackProposalWindowMs: 30 * 60_000,
    now: NOW,
    ...inputs,
  });
}

describe('what luban does by itself', () => {
  const autoPromoting = [ENVIRONMENTS[0], { ...ENVIRONMENTS[1], autoPromote: 'pull-request' as const }];

  it('promotes into an autoPromote environment only from a source Synced, Healthy and deployed on another digest', () => {
    expect(decide({}, { environments: autoPromoting })).toEqual([
      { kind: 'promote', from: 'snd', to: 'prd', digest: NEW, commit: false, why: 'auto-promote', releaseTag: undefined },
    ]);
    expect(decide({ snd: { argoCd: argoCd('OutOfSync', 'Healthy') } }, { environments: autoPromoting })).toEqual([]);
    expect(decide({ snd: { argoCd: argoCd('Synced', 'Progressing') } }, { environments: autoPromoting })).toEqual([]);
    expect(decide({ snd: { rollout: 'waiting-for-sync' } }, { environments: autoPromoting })).toEqual([]);
    expect(decide({ prd: { digest: NEW } }, { environments: autoPromoting })).toEqual([]);
    // Without autoPromote, nothing: unless it is a release candidate and promoteTagsTo names the environment.
    expect(decide({})).toEqual([]);
    expect(decide({}, { releaseTagOf: () => '1.2.3' })).toEqual([]);
    expect(decide({}, { releaseTagOf: () => '1.2.3', promoteTagsTo: 'prd' })).toEqual([
      { kind: 'promote', from: 'snd', to: 'prd', digest: NEW, commit: false, why: 'release-tag', releaseTag: '1.2.3' },
    ]);
  });

  it('proposes a rollback of an environment promoted into that is Degraded within the window, unless one is open', () => {
    const degraded = { argoCd: argoCd('Synced', 'Degraded') };
    expect(decide({ prd: { ...degraded, deployedAt: minutesAgo(29) } })).toEqual([
      { kind: 'rollback', env: 'prd', digest: OLD, deployedAt: minutesAgo(29) },
    ]);
    expect(decide({ prd: { ...degraded, deployedAt: minutesAgo(31) } })).toEqual([]);
    expect(decide({ prd: { ...degraded, deployedAt: minutesAgo(5) } }, { rollbackProposalWindowMs: 0 })).toEqual([]);
    expect(decide({ prd: { ...degraded, deployedAt: minutesAgo(5), pullRequest: { number: 3, url: 'u', title: 't', kind: 'rollback' } } })).toEqual([]);
    // The first environment changes by deploys, not promotions.
    expect(decide({ snd: { ...degraded, deployedAt: minutesAgo(5) } })).toEqual([]);
  });
});
