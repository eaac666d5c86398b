/**
 * The annotation by which a Component opts in to pull-request previews
 * (value `enabled`).
 * @public
 */
export const LUBAN_PREVIEWS_ANNOTATION = 'luban.dev/previews';

/**
 * One pull-request preview of an app: its own Argo CD Application beside
 * the app's first environment, running the pull request's head.
 * @public
 */
export interface LubanPreview {
  pullRequest: {
    number: number;
    /** The pull request's page on the git host; absent when the app records no source repository. */
    url?: string;
  };
  /** The preview's Argo CD Application. */
  application: string;
  /** The environment it runs beside. */
  environment: string;
  /** The image digest it runs (the head's build). */
  digest?: string;
  /** `https://<host>/`; absent without a configured gateway host pattern. */
  address?: string;
  /** Argo CD's sync status (Synced, OutOfSync, Unknown). */
  sync?: string;
  /** Argo CD's health status (Healthy, Progressing, Degraded, Missing…). */
  health?: string;
  /** When the preview was created (ISO 8601). */
  createdAt?: string;
}

/**
 * The open pull-request previews of an app, newest pull request first.
 * @public
 */
export interface LubanPreviews {
  previews: LubanPreview[];
}
