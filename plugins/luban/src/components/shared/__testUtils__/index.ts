import type { Entity } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { mockApis } from '@backstage/frontend-test-utils';
import type { SignalApi } from '@backstage/plugin-signals-react';
import type {
  LubanBuild,
  LubanBuildStep,
  LubanSignal,
} from '@luban-backstage/plugin-luban-common';
import { act } from '@testing-library/react';
import type { LubanApi, LubanLogOptions } from '../../../api';

/**
 * A Component; by default the luban app `ledger-api` of the project `acme`.
 *
 * usePermission caches decisions per permission and entity for the whole
 * test file: a test that needs another decision needs another entity `name`.
 */
export function lubanEntity(
  annotations: Record<string, string> = {
    'luban.dev/project': 'acme',
    'luban.dev/app': 'ledger-api',
  },
  name = 'ledger-api',
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, annotations },
    spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
  };
}

export const STEP_NAMES = [
  'prepare',
  'analyze',
  'detect',
  'restore',
  'build',
  'export',
  'completion',
];

/** The steps of a build whose first `done` steps succeeded and the next is `then`. */
export function stepsUpTo(
  done: number,
  then: LubanBuildStep['state'] = 'succeeded',
): LubanBuildStep[] {
  return STEP_NAMES.map((name, index) => {
    if (index < done) {
      return { name, state: 'succeeded', durationSeconds: 3 + index };
    }
    if (index === done) {
      return { name, state: then, durationSeconds: 65 };
    }
    return { name, state: 'waiting' };
  });
}

/** A succeeded build #12 of ledger-api; `overrides` change what a test is about. */
export function aBuild(overrides: Partial<LubanBuild> = {}): LubanBuild {
  return {
    name: 'ledger-api-build-12',
    number: 12,
    reasons: ['COMMIT'],
    status: 'succeeded',
    revision: '0123456789abcdef0123456789abcdef01234567',
    commitUrl:
      'https://github.com/acme/ledger-api/commit/0123456789abcdef0123456789abcdef01234567',
    startedAt: '2024-05-03T10:00:00Z',
    finishedAt: '2024-05-03T10:01:05Z',
    durationSeconds: 65,
    digest: `sha256:${'abcdef1234567890'.repeat(4)}`,
    image: `harbor.acme.test/acme/ledger-api@sha256:${'abcdef1234567890'.repeat(
      4,
    )}`,
    registryUrl:
      'https://harbor.acme.test/harbor/projects/1/repositories/ledger-api/artifacts-tab/artifacts/sha256:abcdef',
    builder: 'paketo-buildpacks/builder-jammy-base',
    steps: stepsUpTo(STEP_NAMES.length),
    ...overrides,
  };
}

/** The error LubanClient throws when the backend answers `status` with `message`. */
export async function backendError(
  status: number,
  message: string,
): Promise<ResponseError> {
  const names: Record<number, string> = {
    400: 'InputError',
    403: 'NotAllowedError',
    404: 'NotFoundError',
  };
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name: names[status] ?? 'Error', message },
        request: { method: 'GET', url: '/api/luban/entities' },
        response: { statusCode: status },
      }),
      { status, headers: { 'Content-Type': 'application/json' } },
    ),
  );
}

type PermissionDecision = Exclude<
  NonNullable<Parameters<typeof mockApis.permission>[0]>['authorize'],
  Function | undefined
>;

/**
 * A permission API that denies everything. (`AuthorizeResult` lives in
 * `@backstage/plugin-permission-common`, which this package does not depend on.)
 */
export function denyingPermissionApi(): ReturnType<typeof mockApis.permission> {
  return mockApis.permission({ authorize: 'DENY' as PermissionDecision });
}

/**
 * A signal API whose messages the test publishes, as the signals backend
 * would push them.
 */
export function fakeSignalApi() {
  const subscribers = new Map<string, Set<(message: object) => void>>();
  const api: SignalApi = {
    subscribe(channel, onMessage) {
      const listeners = subscribers.get(channel) ?? new Set();
      const listener = onMessage as (message: object) => void;
      listeners.add(listener);
      subscribers.set(channel, listeners);
      return { unsubscribe: () => listeners.delete(listener) };
    },
  };
  return {
    api,
    /** Delivers `message` to the page, like a signal from the backend. */
    publish(channel: string, message: LubanSignal) {
      act(() => {
        for (const listener of subscribers.get(channel) ?? []) {
          listener(message);
        }
      });
    },
    listenerCount: (channel: string) => subscribers.get(channel)?.size ?? 0,
  };
}

/** One call of `streamBuildLog` that the test writes to, as the backend would. */
export interface FakeLogStream {
  build: string;
  options: LubanLogOptions;
  write(text: string): void;
  /** Ends the log, as the backend does when the followed build finishes. */
  end(): Promise<void>;
}

/**
 * A `streamBuildLog` that, like the backend, sends a finished log at once
 * (the `logs` by step, `all` for the whole log) and keeps a followed one open
 * for the test to write to.
 */
export function fakeBuildLogs(logs: Record<string, string> = {}) {
  const followed: FakeLogStream[] = [];
  const streamBuildLog = jest.fn<
    Promise<void>,
    Parameters<LubanApi['streamBuildLog']>
  >(
    (_entity, build, onText, options = {}) =>
      new Promise<void>(resolve => {
        const text = logs[options.step ?? 'all'] ?? '';
        if (!options.follow) {
          // In two chunks, as a real response may arrive.
          const half = Math.floor(text.length / 2);
          onText(text.slice(0, half));
          onText(text.slice(half));
          resolve();
          return;
        }
        options.signal?.addEventListener('abort', () => resolve());
        followed.push({
          build,
          options,
          write: chunk => act(() => onText(chunk)),
          end: async () => {
            await act(async () => resolve());
          },
        });
      }),
  );
  return {
    streamBuildLog,
    followed,
    /** The most recently opened followed stream. */
    latest: () => followed[followed.length - 1],
  };
}
