import type { KubeObject } from '../state';

/** A lifecycle step of a kpack build pod. */
export type BuildStep = 'prepare' | 'analyze' | 'detect' | 'restore' | 'build' | 'export' | 'rebase' | 'completion';

/** What a build's log lines mention. */
export interface BuildLogContext {
  build: KubeObject;
  commit: string;
  digest: string;
  /** `<registry>/<project>/<app>` */
  repo: string;
  reasons: string;
}

/**
 * The log lines each step writes, shaped like the Cloud Native Buildpacks
 * lifecycle's output under kpack. The first line is written when the step
 * starts, the rest when it ends.
 */
export function buildStepLogs(step: BuildStep, context: BuildLogContext, fails: boolean): string[] {
  const { build, commit, digest, repo, reasons } = context;
  const url = build.spec.source.git.url;
  switch (step) {
    case 'prepare':
      return [
        `Build reason(s): ${reasons}`,
        ...reasons.split(',').map(reason => `${reason}:`),
        `Loading secret for "${new URL(url).host}" from secret "git-credentials" at location "/var/build-secrets/git-credentials"`,
        `Cloning "${url}" @ "${commit}"...`,
        `Successfully cloned "${url}" @ "${commit}" in path "/workspace"`,
      ];
    case 'analyze':
      return ['Timer: Analyzer started', `Previous image with name "${build.spec.tags[0]}" not found`, 'Timer: Analyzer ran for 1.2s and ended'];
    case 'detect':
      return [
        'Timer: Detector started',
        '======== Results ========',
        'pass: luban-ci/python-uv@0.0.43',
        'Resolving plan... (try #1)',
        'luban-ci/python-uv 0.0.43',
        'Timer: Detector ran for 310ms and ended',
      ];
    case 'restore':
      return ['Timer: Restorer started', 'Restoring metadata for "luban-ci/python-uv:uv" from cache', 'Timer: Restorer ran for 420ms and ended'];
    case 'build':
      return fails
        ? [
            'Timer: Builder started',
            '[luban-ci/python-uv] Detected Python 3.12 from .python-version',
            '[luban-ci/python-uv] Found FAIL_BUILD in the source: failing on purpose',
            'ERROR: failed to build: exit status 1',
          ]
        : [
            'Timer: Builder started',
            '[luban-ci/python-uv] Detected Python 3.12 from .python-version',
            '[luban-ci/python-uv] Installing uv 0.10.4 (sha256 verified)',
            '[luban-ci/python-uv] Running: uv sync --frozen --no-dev',
            'Resolved 12 packages in 0.4s',
            'Installed 12 packages in 1.1s',
            '[luban-ci/python-uv] Process type "web": uv run app',
            'Timer: Builder ran for 6.4s and ended',
          ];
    case 'export':
      return [
        'Timer: Exporter started',
        'Adding layer \'luban-ci/python-uv:venv\'',
        'Adding layer \'buildpacksio/lifecycle:launch.sbom\'',
        'Adding label \'io.buildpacks.lifecycle.metadata\'',
        `Saving ${build.spec.tags[0]}...`,
        `*** Images (sha256:${digest}):`,
        ...build.spec.tags.map((tag: string) => `      ${tag}`),
        `*** Digest: sha256:${digest}`,
        `Reusing cache layer \'luban-ci/python-uv:uv\'`,
        'Timer: Exporter ran for 2.1s and ended',
      ];
    case 'rebase':
      return rebaseLogs(context);
    case 'completion':
    default:
      return ['Build successful', `Image ${repo}@sha256:${digest} pushed`];
  }
}

/**
 * What kpack's rebase container writes (kpack cmd/rebase/main.go): the build
 * changes as `buildchange.Log` prints them, then the lifecycle rebaser's report.
 */
function rebaseLogs(context: BuildLogContext): string[] {
  const { build, digest } = context;
  const changes: Array<{ reason: string; old?: string; new?: string }> = JSON.parse(
    build.metadata.annotations?.['image.kpack.io/buildChanges'] || '[]',
  );
  return [
    `Build reason(s): ${changes.map(change => change.reason).join(',')}`,
    ...changes.flatMap(change => [`${change.reason}:`, `\t- ${change.old ?? ''}`, `\t+ ${change.new ?? ''}`]),
    'Loading cluster credential helpers',
    `Rebasing ${build.spec.lastBuild?.image ?? build.spec.tags[0]} on run image ${build.spec.runImage?.image ?? ''}`,
    `*** Images (sha256:${digest}):`,
    ...build.spec.tags.map((tag: string) => `      ${tag}`),
    `*** Digest: sha256:${digest}`,
  ];
}
