/**
 * Catalog annotations that connect an entity to the luban platform.
 *
 * Only {@link LUBAN_PROJECT_ANNOTATION} and {@link LUBAN_APP_ANNOTATION} are
 * needed in the common case; the others override names that are otherwise
 * derived from the platform's naming rules (see `naming.ts`).
 */

/**
 * The luban project an entity belongs to, e.g. `payments`.
 * @public
 */
export const LUBAN_PROJECT_ANNOTATION = 'luban.dev/project';

/**
 * The luban app name of a Component, e.g. `ledger-api`.
 * @public
 */
export const LUBAN_APP_ANNOTATION = 'luban.dev/app';

/**
 * Overrides the kpack Image of an app, as `<namespace>/<name>`.
 * Defaults to `ci-<project>/<app>`.
 * @public
 */
export const LUBAN_KPACK_IMAGE_ANNOTATION = 'luban.dev/kpack-image';

/**
 * Overrides the GitOps repository URL of an app.
 * Defaults to the `<project>-gitops` repository next to the source repository.
 * @public
 */
export const LUBAN_GITOPS_REPO_ANNOTATION = 'luban.dev/gitops-repo';

/**
 * The Kubernetes cluster (by its name in `kubernetes.clusterLocatorMethods`)
 * that runs the app's builds. Defaults to the first configured cluster.
 * @public
 */
export const LUBAN_CLUSTER_ANNOTATION = 'luban.dev/cluster';

/**
 * The source repository of an app, as a URL. Usually the same as the
 * well-known `backstage.io/source-location`, which is read as a fallback.
 * @public
 */
export const LUBAN_SOURCE_REPO_ANNOTATION = 'luban.dev/source-repo';

/**
 * Labels luban writes on the Kubernetes objects it creates, so that they can
 * be found again and attributed to a project.
 * @public
 */
export const LUBAN_LABELS = {
  project: 'luban.dev/project',
  app: 'luban.dev/app',
  environment: 'luban.dev/environment',
  owner: 'luban.dev/owner',
  managedBy: 'app.kubernetes.io/managed-by',
} as const;

/**
 * The value of the `app.kubernetes.io/managed-by` label on objects luban creates.
 * @public
 */
export const LUBAN_MANAGED_BY = 'luban-backstage';

/**
 * The annotations of a project's record, on its `ci-<project>` Namespace.
 * Only luban writes them (teams get namespaced RoleBindings, which cannot
 * change a Namespace), so they, not the catalog, say who owns a project.
 * @public
 */
export const LUBAN_PROJECT_RECORD_ANNOTATIONS = {
  /** The catalog group that owns the project, e.g. `group:default/payments-team`. */
  owner: 'luban.dev/owner',
  /** The project's GitOps repository, as a URL. */
  gitopsRepository: 'luban.dev/gitops-repository',
  /** The project's Harbor project. */
  harborProject: 'luban.dev/harbor-project',
} as const;
