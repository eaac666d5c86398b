import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

/**
 * An Application's `spec.source.kustomize` overrides, as far as the emulator
 * applies them (argo-cd pkg/apis/application/v1alpha1 ApplicationSourceKustomize).
 */
export interface ArgoCdKustomize {
  namePrefix?: string;
  nameSuffix?: string;
  /** `[old_image_name=]<image_name>[:<tag>|@<digest>]`, as `kustomize edit set image` takes them. */
  images?: string[];
  commonLabels?: Record<string, string>;
  patches?: Array<{ target?: Record<string, unknown>; patch?: string; path?: string }>;
}

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** One `images` entry of a kustomization from Argo CD's override syntax (kustomize's `edit set image`). */
function imageEntry(override: string): { name: string; newName?: string; newTag?: string; digest?: string } {
  const equals = override.indexOf('=');
  const oldName = equals >= 0 ? override.slice(0, equals) : undefined;
  const image = equals >= 0 ? override.slice(equals + 1) : override;
  const at = image.indexOf('@');
  const colon = image.indexOf(':', image.lastIndexOf('/') + 1);
  let repository = image;
  const reference: { newTag?: string; digest?: string } = {};
  if (at >= 0) {
    repository = image.slice(0, at);
    reference.digest = image.slice(at + 1);
  } else if (colon >= 0) {
    repository = image.slice(0, colon);
    reference.newTag = image.slice(colon + 1);
  }
  const name = oldName ?? repository;
  return { name, ...(repository !== name ? { newName: repository } : {}), ...reference };
}

/**
 * Edits the kustomization at `appPath` as Argo CD's repo server does before
 * `kustomize build` when an Application overrides it (argo-cd
 * util/kustomize/kustomize.go, Build: `kustomize edit set nameprefix|namesuffix|image`,
 * `kustomize edit add label --force`, then its patches appended).
 */
export async function applyKustomizeOverrides(appPath: string, kustomize: ArgoCdKustomize | undefined): Promise<void> {
  if (!kustomize || Object.keys(kustomize).length === 0) return;
  for (const file of KUSTOMIZATION_FILES) {
    const path = join(appPath, file);
    let content: string;
    try {
      content = await readFile(path, 'utf8');
    } catch {
      continue;
    }
    const kustomization = (parse(content) ?? {}) as Record<string, any>;
    if (kustomize.namePrefix) kustomization.namePrefix = kustomize.namePrefix;
    if (kustomize.nameSuffix) kustomization.nameSuffix = kustomize.nameSuffix;
    for (const entry of (kustomize.images ?? []).map(imageEntry)) {
      const images: Array<{ name: string }> = (kustomization.images ??= []);
      const index = images.findIndex(i => i.name === entry.name);
      if (index >= 0) images[index] = entry;
      else images.push(entry);
    }
    if (kustomize.commonLabels) kustomization.commonLabels = { ...kustomization.commonLabels, ...kustomize.commonLabels };
    if (kustomize.patches?.length) kustomization.patches = [...(kustomization.patches ?? []), ...kustomize.patches];
    await writeFile(path, stringify(kustomization));
    return;
  }
}
