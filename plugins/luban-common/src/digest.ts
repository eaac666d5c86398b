/**
 * An image digest as registries and kpack write it: `sha256:` and 64 hex digits.
 * @public
 */
export const IMAGE_DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;

/**
 * The digest of an image reference `<repository>@sha256:…`; undefined for a
 * tag reference or anything else.
 * @public
 */
export function digestOfImage(reference: string | undefined): string | undefined {
  const at = reference?.lastIndexOf('@') ?? -1;
  if (!reference || at < 0) return undefined;
  const digest = reference.slice(at + 1);
  return IMAGE_DIGEST_PATTERN.test(digest) ? digest : undefined;
}

/**
 * The first 12 hex digits of a digest, as people read and compare them.
 * @public
 */
export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}
