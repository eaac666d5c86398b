/** The base URLs of the emulated git hosts. */
export interface GitHostUrls {
  github: string;
  azure: string;
}

function sameHost(url: URL, base: string): boolean {
  return url.host === new URL(base).host;
}

/**
 * Maps a clone or web URL of an emulated git host to the repository path in
 * {@link GitRepositories}: `github/<owner>/<repo>.git` or
 * `azure/<org>/<project>/<repo>.git`. Undefined for any other URL.
 */
export function repositoryForUrl(cloneUrl: string, hosts: GitHostUrls): string | undefined {
  let url: URL;
  try {
    url = new URL(cloneUrl);
  } catch {
    return undefined;
  }
  const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (sameHost(url, hosts.github) && segments.length === 2) {
    return `github/${segments[0]}/${segments[1].replace(/\.git$/, '')}.git`;
  }
  if (sameHost(url, hosts.azure) && segments.length === 4 && segments[2] === '_git') {
    return `azure/${segments[0]}/${segments[1]}/${segments[3]}.git`;
  }
  return undefined;
}
