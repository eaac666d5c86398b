import { InputError } from '@backstage/errors';
import { IMAGE_DIGEST_PATTERN } from '@luban-backstage/plugin-luban-common';
import { isMap, isSeq, parseDocument, YAMLMap, YAMLSeq, type Document } from 'yaml';

/**
 * One entry of a kustomization's `images:` list.
 * @public
 */
export interface OverlayImage {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

/**
 * A change to one `images:` entry: a field set to a string is written, a
 * field set to `null` is removed, an absent field is left as it is.
 * @public
 */
export interface OverlayImageChange {
  name: string;
  newName?: string | null;
  newTag?: string | null;
  digest?: string | null;
}

/**
 * The result of editing an overlay.
 * @public
 */
export interface OverlayEdit {
  /** The new file content (comments and key order kept). */
  content: string;
  changed: boolean;
  before?: OverlayImage;
  after: OverlayImage;
}

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const IMAGE_NAME = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;

function parseKustomization(content: string, path: string): Document {
  const doc = parseDocument(content);
  if (doc.errors.length) {
    throw new InputError(`${path} is not valid YAML: ${doc.errors[0].message}`);
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw new InputError(`${path} is not a kustomization: its top level is not a mapping`);
  }
  return doc;
}

function toImage(node: unknown): OverlayImage | undefined {
  if (!isMap(node)) return undefined;
  const json = node.toJSON() as Record<string, unknown>;
  if (typeof json.name !== 'string') return undefined;
  const image: OverlayImage = { name: json.name };
  for (const key of ['newName', 'newTag', 'digest'] as const) {
    if (json[key] !== undefined && json[key] !== null) image[key] = String(json[key]);
  }
  return image;
}

/**
 * The `images:` entries of a kustomization file.
 * @public
 */
export function readOverlayImages(content: string, path = 'kustomization.yaml'): OverlayImage[] {
  const images = parseKustomization(content, path).get('images');
  if (!isSeq(images)) return [];
  return images.items.map(toImage).filter((i): i is OverlayImage => i !== undefined);
}

function validate(change: OverlayImageChange) {
  if (!IMAGE_NAME.test(change.name)) {
    throw new InputError(`'${change.name}' is not an image name kustomize can match`);
  }
  if (change.newName && !IMAGE_NAME.test(change.newName)) {
    throw new InputError(`'${change.newName}' is not a valid image repository`);
  }
  if (change.digest && !IMAGE_DIGEST_PATTERN.test(change.digest)) {
    throw new InputError(`'${change.digest}' is not an image digest (sha256:<64 hex digits>)`);
  }
  if (change.newTag && !TAG.test(change.newTag)) {
    throw new InputError(`'${change.newTag}' is not a valid image tag`);
  }
}

/**
 * Sets one image of a kustomize overlay, keeping the file's comments, key
 * order and formatting elsewhere. Adds the entry (and the `images:` list)
 * when missing.
 * @public
 */
export function setOverlayImage(
  content: string,
  change: OverlayImageChange,
  path = 'kustomization.yaml',
): OverlayEdit {
  validate(change);
  const doc = parseKustomization(content, path);
  if (doc.contents === null) doc.contents = new YAMLMap() as any;
  let images = doc.get('images', true);
  if (!isSeq(images)) {
    images = new YAMLSeq();
    doc.set('images', images);
  }
  const seq = images as YAMLSeq;
  let entry = seq.items.find(item => toImage(item)?.name === change.name) as YAMLMap | undefined;
  const before = entry ? toImage(entry) : undefined;
  if (!entry) {
    entry = doc.createNode({ name: change.name }) as YAMLMap;
    seq.items.push(entry);
  }
  for (const key of ['newName', 'newTag', 'digest'] as const) {
    const value = change[key];
    if (value === null) entry.delete(key);
    else if (value !== undefined && entry.get(key) !== value) entry.set(key, value);
  }
  const after = toImage(entry)!;
  const changed = JSON.stringify(before) !== JSON.stringify(after);
  return { content: changed ? doc.toString() : content, changed, before, after };
}

/**
 * The reference an overlay entry deploys, e.g. `harbor/acme/api@sha256:…`.
 * @public
 */
export function imageReference(image: OverlayImage): string {
  const name = image.newName ?? image.name;
  if (image.digest) return `${name}@${image.digest}`;
  return image.newTag ? `${name}:${image.newTag}` : name;
}

