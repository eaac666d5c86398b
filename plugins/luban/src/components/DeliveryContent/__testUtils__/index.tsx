import type { Entity } from '@backstage/catalog-model';
import {
  TestApiProvider,
  mockApis,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import type {
  LubanChangeResult,
  LubanDeployment,
  LubanEnvironmentState,
  LubanPromotionState,
} from '@luban-backstage/plugin-luban-common';
import type { ReactElement } from 'react';
import { type LubanApi, lubanApiRef } from '../../../api';
import { lubanEntity } from '../../shared/__testUtils__';

/** A full sha256 digest whose hex starts with `prefix`, e.g. `digestOf('b1')`. */
export function digestOf(prefix: string): string {
  return `sha256:${prefix.padEnd(64, '0')}`;
}

export const SND_DIGEST = digestOf('5d5d5d5d5d5d');
export const PRD_DIGEST = digestOf('9f9f9f9f9f9f');

const HARBOR = 'https://harbor.acme.test/harbor/projects/1/repositories';

/** snd runs build #12; prd runs build #9 and is behind snd, with a pull request open. */
export function promotionState(
  overrides: {
    snd?: Partial<LubanEnvironmentState>;
    prd?: Partial<LubanEnvironmentState>;
  } = {},
): LubanPromotionState {
  return {
    gitopsRepo: 'https://github.com/acme/acme-gitops',
    environments: [
      {
        name: 'snd',
        overlayPath: 'apps/ledger-api/overlays/snd/kustomization.yaml',
        image: `harbor.acme.test/acme/ledger-api@${SND_DIGEST}`,
        digest: SND_DIGEST,
        build: {
          name: 'ledger-api-build-12',
          number: 12,
          revision: '0123456789abcdef0123456789abcdef01234567',
          commitUrl:
            'https://github.com/acme/ledger-api/commit/0123456789abcdef0123456789abcdef01234567',
          finishedAt: '2024-05-03T10:01:05Z',
        },
        deployedAt: '2024-05-03T10:05:00Z',
        argoCd: {
          application: 'snd-acme-ledger-api',
          syncStatus: 'Synced',
          healthStatus: 'Healthy',
          url: 'https://argocd.acme.test/applications/argocd/snd-acme-ledger-api',
        },
        vulnerabilities: {
          critical: 0,
          high: 2,
          medium: 5,
          low: 9,
          scanned: true,
          url: `${HARBOR}/ledger-api/artifacts/${SND_DIGEST}`,
        },
        ...overrides.snd,
      },
      {
        name: 'prd',
        promotesFrom: 'snd',
        overlayPath: 'apps/ledger-api/overlays/prd/kustomization.yaml',
        image: `harbor.acme.test/acme/ledger-api@${PRD_DIGEST}`,
        digest: PRD_DIGEST,
        tag: 'v1.4.0',
        build: {
          name: 'ledger-api-build-9',
          number: 9,
          revision: 'fedcba9876543210fedcba9876543210fedcba98',
          commitUrl:
            'https://github.com/acme/ledger-api/commit/fedcba9876543210fedcba9876543210fedcba98',
        },
        deployedAt: '2024-04-28T08:00:00Z',
        argoCd: {
          application: 'prd-acme-ledger-api',
          syncStatus: 'OutOfSync',
          healthStatus: 'Degraded',
          url: 'https://argocd.acme.test/applications/argocd/prd-acme-ledger-api',
        },
        vulnerabilities: {
          critical: 1,
          high: 3,
          medium: 0,
          low: 0,
          scanned: true,
        },
        pullRequest: {
          number: 12,
          url: 'https://github.com/acme/acme-gitops/pull/12',
          title: 'Promote ledger-api to prd (5d5d5d5d5d5d)',
        },
        behindSource: true,
        ...overrides.prd,
      },
    ],
  };
}

/** What a promotion of snd's digest into prd would change. */
export function promotionChange(
  overrides: Partial<LubanChangeResult> = {},
): LubanChangeResult {
  return {
    allowed: true,
    gates: [
      {
        gate: 'synced',
        passed: true,
        reason: 'snd is Synced (snd-acme-ledger-api)',
      },
      {
        gate: 'healthy',
        passed: true,
        reason: 'snd is Healthy (snd-acme-ledger-api)',
      },
      {
        gate: 'build-succeeded',
        passed: true,
        reason: 'Build #12 (ledger-api-build-12) succeeded',
      },
    ],
    fromDigest: PRD_DIGEST,
    toDigest: SND_DIGEST,
    overlayPath: 'apps/ledger-api/overlays/prd/kustomization.yaml',
    diff: [
      '--- a/apps/ledger-api/overlays/prd/kustomization.yaml',
      '+++ b/apps/ledger-api/overlays/prd/kustomization.yaml',
      '@@ -3,3 +3,3 @@',
      ' images:',
      '   - name: ledger-api',
      `-    digest: ${PRD_DIGEST}`,
      `+    digest: ${SND_DIGEST}`,
    ].join('\n'),
    commits: [
      {
        sha: 'aaaa111122223333444455556666777788889999',
        url: 'https://github.com/acme/ledger-api/commit/aaaa111122223333444455556666777788889999',
      },
      {
        sha: '0123456789abcdef0123456789abcdef01234567',
        url: 'https://github.com/acme/ledger-api/commit/0123456789abcdef0123456789abcdef01234567',
      },
    ],
    dryRun: true,
    ...overrides,
  };
}

/** prd's versions, newest first: the current one, then two earlier ones. */
export function prdHistory(): LubanDeployment[] {
  return [
    {
      digest: PRD_DIGEST,
      commitSha: 'c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0',
      commitUrl:
        'https://github.com/acme/acme-gitops/commit/c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0',
      date: '2024-04-28T08:00:00Z',
      author: 'Ada',
      message: 'Promote ledger-api to prd (9f9f9f9f9f9f)',
      build: { name: 'ledger-api-build-9', number: 9 },
      current: true,
    },
    {
      digest: digestOf('8e8e8e8e8e8e'),
      commitSha: 'b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1',
      commitUrl:
        'https://github.com/acme/acme-gitops/commit/b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1',
      date: '2024-04-20T08:00:00Z',
      author: 'Grace',
      message: 'Promote ledger-api to prd (8e8e8e8e8e8e)',
      build: { name: 'ledger-api-build-8', number: 8 },
      current: false,
    },
    {
      digest: digestOf('7d7d7d7d7d7d'),
      commitSha: 'a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2',
      date: '2024-04-10T08:00:00Z',
      author: 'Linus',
      message: 'Promote ledger-api to prd (7d7d7d7d7d7d)',
      current: false,
    },
  ];
}

/**
 * Renders `element` on the page of `entity` (the luban app ledger-api by
 * default), with `lubanApi` as the backend and a permission API that allows
 * everything unless `permissionApi` says otherwise.
 */
export function renderForEntity(
  element: ReactElement,
  options: {
    lubanApi: Partial<LubanApi>;
    entity?: Entity;
    permissionApi?: ReturnType<typeof mockApis.permission>;
    /** Where the page starts, e.g. `/?trace=sha256:…`. */
    initialRouteEntries?: string[];
  },
) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [lubanApiRef, options.lubanApi],
        [permissionApiRef, options.permissionApi ?? mockApis.permission()],
      ]}
    >
      <EntityProvider entity={options.entity ?? lubanEntity()}>
        {element}
      </EntityProvider>
    </TestApiProvider>,
    // Links to the entity's tabs are built from the catalog's entity route.
    {
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      ...(options.initialRouteEntries
        ? { initialRouteEntries: options.initialRouteEntries }
        : {}),
    },
  );
}
