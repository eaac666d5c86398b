import type { KubernetesObject } from '@kubernetes/client-node';

/**
 * The annotation that asks Argo CD to compare an Application with git now
 * (`normal` or `hard`); its controller removes it once done. Without it Argo
 * CD sees a commit only at its next `timeout.reconciliation` (120 s plus up
 * to 60 s of jitter by default). argo-cd
 * `pkg/apis/application/v1alpha1/application_annotations.go`.
 * @public
 */
export const ARGOCD_REFRESH_ANNOTATION = 'argocd.argoproj.io/refresh';

/**
 * A change to a GitOps repository that Argo CD should see now.
 * @public
 */
export interface GitOpsSourceChange {
  /** The repository, by any of its URLs (web or clone; case, credentials and `.git` do not matter). */
  repositoryUrl: string;
  /** The branch that moved. */
  branch: string;
  /** The files changed; when given, only Applications whose source path holds one of them follow. */
  paths?: string[];
}

/** As argo-cd `util/git/git.go` NormalizeGitURL compares repositories, without the credentials of a clone URL. */
function normalizeRepositoryUrl(url: string): string {
  let normalized = url.trim().toLowerCase();
  try {
    const parsed = new URL(normalized);
    parsed.username = '';
    parsed.password = '';
    normalized = parsed.toString();
  } catch {
    // not a URL (scp-style ssh): compared as written
  }
  return normalized.replace(/\/+$/, '').replace(/\.git$/, '');
}

function normalizePath(path: string): string {
  return path.replace(/^\.?\/+/, '').replace(/\/+$/, '');
}

/**
 * Whether an Argo CD Application (argoproj.io/v1alpha1) follows a change: same
 * repository, a target revision that is the branch (or HEAD, which the default
 * branch may be), and, when paths are given, a source path that holds one of
 * them. argo-cd `util/webhook/webhook.go` (sourceRevisionHasChanged, sourceUsesURL).
 * @public
 */
export function applicationFollows(application: KubernetesObject & { spec?: any }, change: GitOpsSourceChange): boolean {
  const source = application.spec?.source;
  if (!source?.repoURL || normalizeRepositoryUrl(source.repoURL) !== normalizeRepositoryUrl(change.repositoryUrl)) return false;
  const target = String(source.targetRevision ?? '').replace(/^refs\/(heads|tags)\//, '');
  if (target !== '' && target !== 'HEAD' && target !== change.branch) return false;
  if (!change.paths) return true;
  const root = normalizePath(source.path ?? '');
  return change.paths.some(path => root === '' || normalizePath(path).startsWith(`${root}/`));
}

/**
 * The JSON merge patch that asks Argo CD to refresh an Application, as
 * `argocd app get --refresh` sends it (argo-cd `util/argo/argo.go` RefreshApp).
 * @public
 */
export function argoCdRefreshPatch(): { metadata: { annotations: Record<string, string> } } {
  return { metadata: { annotations: { [ARGOCD_REFRESH_ANNOTATION]: 'normal' } } };
}
