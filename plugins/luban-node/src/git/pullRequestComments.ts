/**
 * A comment luban keeps on a pull request: one per marker, updated in place.
 * @public
 */
export interface PullRequestComment {
  /** Says which of luban's comments this is (e.g. `luban-preview`); hidden in the comment. */
  marker: string;
  /** The comment's text (Markdown). */
  body: string;
}
