import { Link } from '@backstage/core-components';
import { shortDigest } from '@luban-backstage/plugin-luban-common';

/**
 * A link to the trace of a digest in the Delivery tab: where it went after
 * it was built, for any build, running somewhere or not.
 */
export function TraceLink(props: { digest: string; href: string }) {
  return (
    <Link
      to={props.href}
      aria-label={`Trace sha256:${shortDigest(
        props.digest,
      )}: its pull requests and environments`}
    >
      Trace
    </Link>
  );
}
