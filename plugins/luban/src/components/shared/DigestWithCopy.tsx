import { Link } from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import IconButton from '@material-ui/core/IconButton';
import Tooltip from '@material-ui/core/Tooltip';
import { makeStyles } from '@material-ui/core/styles';
import CopyIcon from '@material-ui/icons/FileCopyOutlined';
import { useEffect, useState } from 'react';

/**
 * How a digest is shown: its algorithm and first 12 hex digits, as
 * `sha256:abcdef123456`, enough to tell builds apart, short enough for a
 * table. (luban-common's `shortDigest` is the 12 hex digits alone, as luban
 * writes them in pull request titles.)
 *
 * @public
 */
export function digestLabel(digest: string): string {
  const [algorithm, hex] = digest.split(':', 2);
  if (hex === undefined) {
    return digest.slice(0, 12);
  }
  return `${algorithm}:${hex.slice(0, 12)}`;
}

const useStyles = makeStyles(theme => ({
  root: {
    display: 'inline-flex',
    alignItems: 'center',
    whiteSpace: 'nowrap',
  },
  digest: {
    fontFamily: 'monospace',
  },
  copy: {
    marginLeft: theme.spacing(0.5),
    padding: theme.spacing(0.5),
  },
}));

/** How long the "Copied" confirmation stays, in milliseconds. */
const COPIED_MS = 1500;

/**
 * An image digest, shortened, with a button that copies the full digest and
 * (when `url` is given) a link to the artifact's page in Harbor.
 *
 * @public
 */
export function DigestWithCopy(props: { digest: string; url?: string }) {
  const { digest, url } = props;
  const classes = useStyles();
  const alertApi = useApi(alertApiRef);
  const [copied, setCopied] = useState(false);
  const short = digestLabel(digest);

  useEffect(() => {
    if (!copied) return undefined;
    const timer = setTimeout(() => setCopied(false), COPIED_MS);
    return () => clearTimeout(timer);
  }, [copied]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(digest);
      setCopied(true);
    } catch (error) {
      alertApi.post({
        message: `Could not copy the digest: ${(error as Error).message}`,
        severity: 'error',
      });
    }
  };

  const text = (
    <code className={classes.digest} title={digest}>
      {short}
    </code>
  );
  return (
    <span className={classes.root}>
      {url ? (
        <Link to={url} aria-label={`Digest ${short} in Harbor`}>
          {text}
        </Link>
      ) : (
        text
      )}
      <Tooltip title={copied ? 'Copied' : 'Copy the full digest'}>
        <IconButton
          className={classes.copy}
          size="small"
          aria-label={`Copy digest ${short}`}
          onClick={copy}
        >
          <CopyIcon fontSize="inherit" />
        </IconButton>
      </Tooltip>
    </span>
  );
}
