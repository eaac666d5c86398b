import { Link } from '@backstage/core-components';

/**
 * A commit as its short (7 character) SHA, linking to the commit's page when
 * its URL is known. The full SHA shows on hover.
 *
 * @public
 */
export function CommitLink(props: { sha: string; url?: string }) {
  const { sha, url } = props;
  const short = <code title={sha}>{sha.slice(0, 7)}</code>;
  if (!url) {
    return short;
  }
  return (
    <Link to={url} aria-label={`Commit ${sha.slice(0, 7)}`}>
      {short}
    </Link>
  );
}
