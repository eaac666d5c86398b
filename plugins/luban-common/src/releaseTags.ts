/**
 * The label luban puts on a kpack Image for the one Build a pushed git tag
 * asks for; kpack copies an Image's labels onto the Builds it creates, so the
 * Build carries it as the mark of a release candidate.
 * @public
 */
export const LUBAN_RELEASE_TAG_LABEL = 'luban.dev/release-tag';

/**
 * A release tag as luban accepts it: `1.2.3`, `1.2`, `2`, `1.2.3-rc.1`. Also a
 * valid image tag and Kubernetes label value (no `+`, at most 63 characters,
 * ending in a letter or digit).
 */
const RELEASE_TAG = /^\d+(\.\d+){0,2}(-[0-9A-Za-z]([0-9A-Za-z.-]*[0-9A-Za-z])?)?$/;

/**
 * The image tag of a pushed git tag ref, by the reference platform's rule:
 * `refs/tags/v1.2.3` gives `1.2.3` (one leading `v` stripped,
 * luban-ci's kpack template); undefined for a branch or a tag that is not a
 * version (e.g. `refs/tags/nightly`, `refs/tags/vv1`).
 * @public
 */
export function releaseTagOfRef(ref: string): string | undefined {
  if (!ref.startsWith('refs/tags/')) return undefined;
  const name = ref.slice('refs/tags/'.length);
  const tag = name.startsWith('v') ? name.slice(1) : name;
  return tag.length <= 63 && RELEASE_TAG.test(tag) ? tag : undefined;
}
