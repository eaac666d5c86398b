import { isBuildOfImage, podStepsOf, stepNamesOfBuild, toKpackBuild } from './kpack';

const DIGEST = `sha256:${'a'.repeat(64)}`;

function buildObject(options: { namespace?: string; image?: string; latestImage?: string } = {}) {
  return {
    apiVersion: 'kpack.io/v1alpha2',
    kind: 'Build',
    metadata: {
      name: 'api-build-1',
      namespace: options.namespace ?? 'ci-shop',
      labels: { 'image.kpack.io/image': options.image ?? 'api', 'image.kpack.io/buildNumber': '1' },
    },
    status: {
      conditions: [{ type: 'Succeeded', status: 'True' }],
      latestImage: options.latestImage,
    },
  };
}

describe('kpack builds', () => {
  it('reads the digest of the built image', () => {
    expect(toKpackBuild(buildObject({ latestImage: `harbor.local/shop/api@${DIGEST}` })).digest).toBe(DIGEST);
    expect(toKpackBuild(buildObject({ latestImage: 'harbor.local/shop/api:latest' })).digest).toBeUndefined();
    expect(toKpackBuild(buildObject()).digest).toBeUndefined();
  });

  it('tells the Builds of an Image by its label and namespace, as object or reading', () => {
    const image = { namespace: 'ci-shop', name: 'api' };
    for (const read of [(o: ReturnType<typeof buildObject>) => o, toKpackBuild]) {
      expect(isBuildOfImage(read(buildObject()), image)).toBe(true);
      expect(isBuildOfImage(read(buildObject({ image: 'web' })), image)).toBe(false);
      expect(isBuildOfImage(read(buildObject({ namespace: 'ci-other' })), image)).toBe(false);
    }
  });

  const done = (message?: string) => ({ terminated: { exitCode: 0, startedAt: 'a', finishedAt: 'b', ...(message ? { message } : {}) } });
  const running = { running: { startedAt: 'a' } };
  const waiting = (message?: string) => ({ waiting: { reason: 'PodInitializing', ...(message ? { message } : {}) } });
  const withSteps = (stepStates: unknown[], stepsCompleted: string[]) => ({
    ...buildObject(),
    status: { conditions: [{ type: 'Succeeded', status: 'Unknown' }], podName: 'api-build-1-build-pod', stepStates, stepsCompleted },
  });
  const rebasePod = { spec: { initContainers: [{ name: 'rebase' }], containers: [{ name: 'completion' }] } };

  // kpack pkg/reconciler/build/build.go stepsCompleted: a finished build names every step it ran.
  it('names the steps of a build whose steps all succeeded from stepsCompleted, never by position', () => {
    const rebase = withSteps([done(), done()], ['rebase', 'completion']);
    expect(stepNamesOfBuild(rebase)).toEqual(['rebase', 'completion']);
    expect(toKpackBuild(rebase).steps.map(s => [s.name, s.state])).toEqual([
      ['rebase', 'succeeded'],
      ['completion', 'succeeded'],
    ]);
  });

  // kpack pkg/apis/build/v1alpha2/build_pod.go rebasePod; build.go stepStates (init statuses, then container statuses).
  it('names the steps of a running build from its pod', () => {
    const rebase = withSteps([running, waiting()], []);
    expect(stepNamesOfBuild(rebase)).toBeUndefined();
    expect(toKpackBuild(rebase, podStepsOf(rebasePod)).steps.map(s => [s.name, s.state])).toEqual([
      ['rebase', 'running'],
      ['completion', 'waiting'],
    ]);
  });

  it('maps states by the order kpack reports them: containers sorted by name, as the kubelet lists their statuses', () => {
    // kpack's injected-sidecar mode runs every step as a container after a `pre-start` init container.
    const pod = { spec: { initContainers: [{ name: 'pre-start' }], containers: ['prepare', 'build', 'completion'].map(name => ({ name })) } };
    expect(podStepsOf(pod)).toEqual({ run: ['prepare', 'build', 'completion'], reported: ['build', 'completion', 'prepare'] });
    const build = withSteps([running, waiting(), done()], ['prepare']);
    expect(toKpackBuild(build, podStepsOf(pod)).steps.map(s => [s.name, s.state])).toEqual([
      ['prepare', 'succeeded'],
      ['build', 'running'],
      ['completion', 'waiting'],
    ]);
  });

  // kpack pkg/reconciler/build/build.go createContainerStateForBuild: "Container <name> waiting".
  it('without the pod, names what the Build says: completed steps, then the containers kpack\'s messages name', () => {
    const build = withSteps([done(), running, waiting('Container completion waiting')], ['rebase']);
    expect(toKpackBuild(build).steps.map(s => s.name)).toEqual(['rebase', 'step 2', 'completion']);
  });
});

