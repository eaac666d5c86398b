import { imageReference, readOverlayImages, setOverlayImage } from './overlay';

const digest = (c: string) => `sha256:${c.repeat(64)}`;

const overlay = `# snd overlay of ledger-api
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base # the shared base
namespace: snd-payments
images:
  # written by luban on every successful build
  - name: ledger-api
    newName: harbor.example.com/payments/ledger-api
    digest: ${digest('a')}
  - name: sidecar
    newTag: "1.2"
patches: []
`;

describe('kustomize overlay edits', () => {
  it('reads the images of an overlay', () => {
    expect(readOverlayImages(overlay)).toEqual([
      { name: 'ledger-api', newName: 'harbor.example.com/payments/ledger-api', digest: digest('a') },
      { name: 'sidecar', newTag: '1.2' },
    ]);
    expect(readOverlayImages('resources: []\n')).toEqual([]);
  });

  it('changes only the digest, keeping comments, key order and other entries', () => {
    const edit = setOverlayImage(overlay, { name: 'ledger-api', digest: digest('b') });
    expect(edit.changed).toBe(true);
    expect(edit.content).toBe(overlay.replace(digest('a'), digest('b')));
    expect(edit.before?.digest).toBe(digest('a'));
    expect(edit.after.digest).toBe(digest('b'));
  });

  it('is a no-op, byte for byte, when the image is already as asked', () => {
    const edit = setOverlayImage(overlay, { name: 'ledger-api', digest: digest('a') });
    expect(edit.changed).toBe(false);
    expect(edit.content).toBe(overlay);
  });

  it('removes fields set to null and adds missing entries and lists', () => {
    const tagged = setOverlayImage(overlay, { name: 'sidecar', newTag: null, digest: digest('c') });
    expect(readOverlayImages(tagged.content)[1]).toEqual({ name: 'sidecar', digest: digest('c') });

    const fresh = setOverlayImage('resources:\n  - ../../base\n', {
      name: 'api',
      newName: 'harbor.example.com/acme/api',
      digest: digest('d'),
    });
    expect(fresh.content).toBe(
      `resources:\n  - ../../base\nimages:\n  - name: api\n    newName: harbor.example.com/acme/api\n    digest: ${digest('d')}\n`,
    );
    expect(fresh.before).toBeUndefined();
    expect(setOverlayImage('', { name: 'api', newTag: 'v1' }).content).toBe('images:\n  - name: api\n    newTag: v1\n');
  });

  it('names the image an entry deploys, before and after a change', () => {
    const edit = setOverlayImage(overlay, { name: 'ledger-api', digest: digest('b') });
    expect(imageReference(edit.before!)).toBe(`harbor.example.com/payments/ledger-api@${digest('a')}`);
    expect(imageReference(edit.after)).toBe(`harbor.example.com/payments/ledger-api@${digest('b')}`);
    expect(imageReference({ name: 'x', newTag: 'v2' })).toBe('x:v2');
  });

  it.each([
    [{ name: 'api', digest: 'sha256:abc' }, "'sha256:abc' is not an image digest"],
    [{ name: 'api', newTag: 'bad tag' }, "'bad tag' is not a valid image tag"],
    [{ name: 'API', newTag: 'v1' }, "'API' is not an image name kustomize can match"],
    [{ name: 'api', newName: 'harbor/$(id)/api' }, 'is not a valid image repository'],
  ])('rejects %j', (change, message) => {
    expect(() => setOverlayImage(overlay, change)).toThrow(message);
  });

  it('rejects files that are not kustomizations', () => {
    expect(() => setOverlayImage('images: [\n', { name: 'api', newTag: 'v1' }, 'k.yaml')).toThrow(/^k.yaml is not valid YAML/);
    expect(() => setOverlayImage('- a\n- b\n', { name: 'api', newTag: 'v1' }, 'k.yaml')).toThrow(
      'k.yaml is not a kustomization: its top level is not a mapping',
    );
  });
});
