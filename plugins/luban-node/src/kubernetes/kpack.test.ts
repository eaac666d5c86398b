import { isBuildOfImage, toKpackBuild } from './kpack';

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
});
