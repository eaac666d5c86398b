import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { applyKustomizeOverrides } from './argoCdKustomize';

// argo-cd util/kustomize/kustomize.go (Build): `kustomize edit set namesuffix|image`, `edit add label --force`, patches appended.
describe("Argo CD's kustomize overrides of an Application", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kustomize-'));
    await writeFile(
      join(dir, 'kustomization.yaml'),
      'resources:\n  - ../../base\nnamespace: snd-payments\nimages:\n  - name: ledger-api\n    newName: harbor.example/payments/ledger-api\n    digest: sha256:old\n',
    );
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('replaces the image named before `=`, suffixes names, adds labels and patches, and keeps the rest', async () => {
    await applyKustomizeOverrides(dir, {
      nameSuffix: '-pr-7',
      images: ['ledger-api=harbor.example/payments/ledger-api@sha256:new', 'sidecar:1.2'],
      commonLabels: { 'app.kubernetes.io/name': 'ledger-api-pr-7' },
      patches: [{ target: { kind: 'HTTPRoute' }, patch: '[]' }],
    });
    expect(parse(await readFile(join(dir, 'kustomization.yaml'), 'utf8'))).toEqual({
      resources: ['../../base'],
      namespace: 'snd-payments',
      nameSuffix: '-pr-7',
      images: [
        { name: 'ledger-api', newName: 'harbor.example/payments/ledger-api', digest: 'sha256:new' },
        { name: 'sidecar', newTag: '1.2' },
      ],
      commonLabels: { 'app.kubernetes.io/name': 'ledger-api-pr-7' },
      patches: [{ target: { kind: 'HTTPRoute' }, patch: '[]' }],
    });
  });

  it('leaves the kustomization alone without overrides', async () => {
    const before = await readFile(join(dir, 'kustomization.yaml'), 'utf8');
    await applyKustomizeOverrides(dir, undefined);
    await applyKustomizeOverrides(dir, {});
    expect(await readFile(join(dir, 'kustomization.yaml'), 'utf8')).toBe(before);
  });
});
