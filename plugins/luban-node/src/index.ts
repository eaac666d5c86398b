/**
 * Provider clients (Kubernetes, Harbor, GitHub, Azure DevOps), configuration
 * and GitOps edits shared by the luban backend plugins.
 *
 * @packageDocumentation
 */

export {
  readLubanEnvironments,
  readMaxStalenessMs,
  readRequestTimeoutMs,
  requiredApprovalsOfBranch,
  DEFAULT_ENVIRONMENTS,
} from './config/environments';
export { readLubanConfig, webhookSecretOf, WEBHOOK_SECRET_MIN_LENGTH } from './config/readLubanConfig';
export { readLubanReleases } from './config/releases';
export type { LubanReleasesConfig } from './config/releases';
export type {
  AutoDeployMode,
  KpackCacheConfig,
  LubanConfig,
  NamespaceDefaults,
  WebhookProvider,
} from './config/readLubanConfig';
export { upstreamError } from './errors';
export type { UpstreamContext } from './errors';
export {
  readKubernetesClusters,
  selectCluster,
  kubeConfigFor,
} from './kubernetes/clusters';
export type { LubanCluster } from './kubernetes/clusters';
export { KubernetesGateway } from './kubernetes/KubernetesGateway';
export { LubanClusters } from './kubernetes/LubanClusters';
export type {
  ObjectRef as KubernetesObjectRef,
  ApplyOptions,
  ApplyResult,
  AppliedObject,
} from './kubernetes/KubernetesGateway';
export {
  readOverlayImages,
  setOverlayImage,
  imageReference,
} from './gitops/overlay';
export type {
  OverlayImage,
  OverlayImageChange,
  OverlayEdit,
} from './gitops/overlay';
export {
  APP_ROUTE_FILE,
  appAddress,
  appHostname,
  appHttpRoute,
  httpRouteAddress,
  overlayRoutePath,
} from './gitops/httpRoute';
export type { GatewayConfig } from './gitops/httpRoute';
export { editFiles, changesAt } from './gitops/editFiles';
export type { EditFilesOptions, EditingProvider, FileEdit } from './gitops/editFiles';
export { GitOpsWriter } from './gitops/GitOpsWriter';
export type { ChangeProposal, GitOpsChange, GitOpsWriteResult } from './gitops/GitOpsWriter';
export { HarborClient } from './harbor/HarborClient';
export type {
  EnsureResult,
  HarborArtifact,
  HarborProject,
  HarborProjectDefaults,
  HarborRobot,
  HarborRobotRole,
  VulnerabilitySummary,
} from './harbor/HarborClient';
export { RobotSecret } from './harbor/RobotSecret';
export { parseRepoLocation, siblingRepository } from './git/repoLocation';
export type { RepoLocation } from './git/repoLocation';
export { GitProviders } from './git/GitProviders';
export { RepositoryWatch, type WatchedRepository } from './git/repositoryWatch';
export type { GitProvidersOptions } from './git/GitProviders';
export { GitHubProvider } from './git/GitHubProvider';
export { AzureDevOpsProvider } from './git/AzureDevOpsProvider';
export { BranchProtectedError, StaleBranchError } from './git/GitProvider';
export type { PullRequestComment } from './git/pullRequestComments';
export type {
  GitProvider,
  BranchProtectionOptions,
  CommitFilesOptions,
  EditFileResult,
  EnsuredRepository,
  EnsureRepositoryOptions,
  FileChange,
  FileCommit,
  GitFile,
  ListPullRequestsOptions,
  OpenedPullRequest,
  OpenPullRequestSummary,
  PullRequestInfo,
  PullRequestOptions,
  PullRequestReviews,
  PullRequestState,
  PullRequestSummary,
  WebhookOptions,
  WebhookResult,
} from './git/GitProvider';
export { ResourceInformer } from './kubernetes/ResourceInformer';
export type { InformerEvent } from './kubernetes/ResourceInformer';
export { KPACK, cancelledBuildStatus, isBuildOfImage, podStepsOf, stepNamesOfBuild, toKpackBuild } from './kubernetes/kpack';
export type { KpackBuild, KpackBuildStep, KpackImageRef, KpackPodSteps } from './kubernetes/kpack';
export { toArgoCdApplication } from './kubernetes/argocd';
export type { ArgoCdApplicationState, ArgoCdOperationState } from './kubernetes/argocd';
export { ARGOCD_REFRESH_ANNOTATION, applicationFollows, argoCdRefreshPatch } from './kubernetes/argocdRefresh';
export type { GitOpsSourceChange } from './kubernetes/argocdRefresh';
export {
  assertMayChangeProject,
  normalizeGroupRef,
  projectRecordAnnotations,
  readProjectRecord,
} from './projects/projectRecord';
export type {
  LubanActor,
  LubanProjectLookup,
  LubanProjectRecord,
} from './projects/projectRecord';
export { requireUser, resolveActor } from './projects/actor';
