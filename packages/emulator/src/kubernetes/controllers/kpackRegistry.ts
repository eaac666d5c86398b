import type { HarborApi } from '../../harbor/HarborApi';
import type { KubeObject } from '../state';

/** `<repo>` of a `<repo>:<tag>` reference (a registry host may carry a port). */
export function repositoryOf(tag: string): string {
  const lastSlash = tag.lastIndexOf('/');
  const colon = tag.indexOf(':', lastSlash + 1);
  return colon >= 0 ? tag.slice(0, colon) : tag;
}

/** `<tag>` of a `<repo>:<tag>` reference; `latest` when it names none. */
export function tagNameOf(tag: string): string {
  const lastSlash = tag.lastIndexOf('/');
  const colon = tag.indexOf(':', lastSlash + 1);
  return colon >= 0 ? tag.slice(colon + 1) : 'latest';
}

/** Why the registry would refuse a build's push, or undefined when it accepts it. */
export function registryPushProblem(build: KubeObject, harbor: HarborApi, harborUrl: string): string | undefined {
  const repo = repositoryOf(build.spec.tags[0]);
  const [host, project, ...path] = repo.split('/');
  if (host !== new URL(harborUrl).host) {
    return `registry ${host} is not reachable`;
  }
  if (!project || path.length === 0 || !harbor.projectNames().includes(project)) {
    return `NOT_FOUND: project ${project ?? ''} not found`;
  }
  return undefined;
}

/** Pushes what a build exported (or rebased) to the emulated Harbor, under each of its tags in the first tag's repository. */
export function pushToHarbor(build: KubeObject, harbor: HarborApi, digest: string): void {
  const tags: string[] = build.spec.tags;
  const repo = repositoryOf(tags[0]);
  const [, project, ...path] = repo.split('/');
  harbor.pushArtifact({
    project,
    repository: path.join('/'),
    digest: `sha256:${digest}`,
    tags: tags.filter(t => repositoryOf(t) === repo).map(tagNameOf),
    sbom: true,
  });
}
