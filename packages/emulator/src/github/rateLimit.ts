import { GitHubError } from './errors';
import { GHES_VERSION, type Account } from './model';

/** A rate-limit window, as GitHub keeps one per user (and one per address for anonymous calls). */
export interface RateLimitBucket {
  limit: number;
  used: number;
  /** Epoch seconds when the window resets. */
  reset: number;
}

const RATE_WINDOW_SECONDS = 3600;

/** GitHub's REST rate limits: a window for the token's user and one for anonymous callers. */
export class RateLimits {
  private readonly buckets = new Map<string, RateLimitBucket>();

  /** The current window of a caller, opening a new one when the last has expired. */
  bucket(key: 'user' | 'anonymous'): RateLimitBucket {
    const now = Math.floor(Date.now() / 1000);
    let bucket = this.buckets.get(key);
    if (!bucket || bucket.reset <= now) {
      bucket = {
        limit: key === 'user' ? 5000 : 60,
        used: 0,
        reset: now + RATE_WINDOW_SECONDS,
      };
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  /** Sets how many requests the token's user has left in this window. */
  setRemaining(remaining: number): void {
    const bucket = this.bucket('user');
    bucket.used = Math.max(0, bucket.limit - remaining);
  }

  clear(): void {
    this.buckets.clear();
  }
}

/** The `X-RateLimit-*` headers of every REST answer. */
export function rateHeaders(bucket: RateLimitBucket): Record<string, string> {
  return {
    'X-RateLimit-Limit': String(bucket.limit),
    'X-RateLimit-Remaining': String(Math.max(0, bucket.limit - bucket.used)),
    'X-RateLimit-Reset': String(bucket.reset),
    'X-RateLimit-Used': String(bucket.used),
    'X-RateLimit-Resource': 'core',
  };
}

/** The body of `GET /rate_limit`. */
export function rateLimitBody(bucket: RateLimitBucket) {
  const core = {
    limit: bucket.limit,
    used: bucket.used,
    remaining: Math.max(0, bucket.limit - bucket.used),
    reset: bucket.reset,
  };
  const other = (limit: number) => ({
    limit,
    used: 0,
    remaining: limit,
    reset: bucket.reset,
  });
  return {
    resources: {
      core,
      search: other(30),
      graphql: other(5000),
      integration_manifest: other(5000),
      code_search: other(10),
    },
    rate: core,
  };
}

/** The 403 of a caller whose window is used up. */
export function rateLimited(viewer: Account | undefined): GitHubError {
  const message = viewer
    ? `API rate limit exceeded for user ID ${viewer.id}.`
    : `API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)`;
  return new GitHubError(403, message, {
    documentationUrl: `https://docs.github.com/enterprise-server@${GHES_VERSION}/rest/overview/rate-limits-for-the-rest-api`,
  });
}
