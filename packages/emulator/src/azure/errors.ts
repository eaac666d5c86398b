/**
 * Azure DevOps error bodies: `{ $id, innerException, message, typeName,
 * typeKey, errorCode, eventId }`, with the exception types, TF codes and
 * status codes the service uses (status mapping from the Git server's
 * `GitApiController.s_httpExceptions`).
 */

/** The JSON body of an Azure DevOps error. */
export interface AzureErrorBody {
  $id: '1';
  innerException: null;
  message: string;
  typeName: string;
  typeKey: string;
  errorCode: number;
  eventId: number;
}

/** An error the router turns into an Azure DevOps error response. */
export class AzureError extends Error {
  constructor(readonly status: number, readonly body: AzureErrorBody) {
    super(body.message);
  }
}

const WEB_API = 'Microsoft.VisualStudio.Services.WebApi';
const CORE_WEB_API = 'Microsoft.TeamFoundation.Core.WebApi';
const GIT_SERVER = 'Microsoft.TeamFoundation.Git.Server';
const SOURCE_CONTROL = 'Microsoft.TeamFoundation.SourceControl.WebServer';
const SERVICE_HOOKS = 'Microsoft.VisualStudio.Services.ServiceHooks.WebApi';

/** The assembly a namespace's exceptions live in, as `typeName` names it. */
function assemblyOf(namespace: string) {
  if (namespace === 'System') return 'mscorlib';
  return namespace;
}

function error(
  status: number,
  typeKey: string,
  namespace: string,
  message: string,
  eventId = 3000,
) {
  const assembly = assemblyOf(namespace);
  return new AzureError(status, {
    $id: '1',
    innerException: null,
    message,
    typeName: `${namespace}.${typeKey}, ${assembly}`,
    typeKey,
    errorCode: 0,
    eventId,
  });
}

/** How .NET formats an `ArgumentException` that names its parameter. */
function withParameter(message: string, parameter: string) {
  return `${message}\r\nParameter name: ${parameter}`;
}

/** A non-GET request without `api-version`. */
export function versionNotSpecified(method: string) {
  return error(
    400,
    'VssVersionNotSpecifiedException',
    WEB_API,
    `No api-version was supplied for the "${method}" request. The version must be supplied either as part of the Accept header (e.g. "application/json; api-version=1.0") or as a query parameter (e.g. '?api-version=1.0').`,
  );
}

/** An `api-version` above what the server (or the resource) supports. */
export function versionOutOfRange(requested: string, latest: string) {
  return error(
    400,
    'VssVersionOutOfRangeException',
    WEB_API,
    `The requested REST API version of ${requested} is out of range for this server. The latest REST API version this server supports is ${latest}.`,
  );
}

/** A released `api-version` for a resource that is only in preview at that version. */
export function previewFlagRequired(requested: string) {
  return error(
    400,
    'VssInvalidPreviewVersionException',
    WEB_API,
    `The requested version "${requested}" of the resource is under preview. The -preview flag must be supplied in the api-version for such requests. For example: "${requested}-preview"`,
  );
}

/** An `api-version` that does not parse. */
export function invalidApiVersion(requested: string) {
  return error(
    400,
    'VssInvalidApiVersionException',
    WEB_API,
    `The api-version '${requested}' is not valid. The api-version must be in the format {Major}.{Minor}[-{stage}[.{resource-version}]], for example '7.1' or '7.2-preview.1'.`,
  );
}

/** A path no controller serves (ASP.NET's own 404). */
export function controllerNotFound(path: string) {
  return error(
    404,
    'HttpException',
    'System.Web',
    `The controller for path '${path}' was not found or does not implement IController.`,
    0,
  );
}

/** A method the resource does not support. */
export function methodNotAllowed(method: string) {
  return error(
    405,
    'HttpException',
    'System.Web',
    `The requested resource does not support http method '${method}'.`,
    0,
  );
}

/** An organization that does not exist. */
export function organizationNotFound() {
  return error(
    404,
    'HostNotFoundException',
    'Microsoft.TeamFoundation.Framework.Server',
    'The resource cannot be found.',
    0,
  );
}

/** TF200016: the project does not exist. */
export function projectNotFound(nameOrId: string) {
  return error(
    404,
    'ProjectDoesNotExistWithNameException',
    CORE_WEB_API,
    `TF200016: The following project does not exist: ${nameOrId}. Verify that the name of the project is correct and that the project exists on the specified Azure DevOps Server.`,
  );
}

/** TF200019: a project with the name already exists. */
export function projectExists(name: string) {
  return error(
    409,
    'ProjectAlreadyExistsException',
    CORE_WEB_API,
    `TF200019: The following project already exists on the Azure DevOps Server: ${name}. You cannot create a new project with the same name as an existing project. Provide a different name.`,
  );
}

/** A project create request without the required properties. */
export function invalidProjectCreate() {
  return error(
    400,
    'ProjectException',
    CORE_WEB_API,
    'The project information supplied to project create is not valid. You must provide all and only these properties/capabilities: name, description, visibility, capabilities.versioncontrol.sourceControlType, capabilities.processTemplate.templateTypeId.',
  );
}

/** An operation id that is unknown. */
export function operationNotFound(id: string) {
  return error(
    404,
    'OperationNotFoundException',
    'Microsoft.VisualStudio.Services.Operations',
    `The operation with id ${id} does not exist.`,
  );
}

/** TF401019: the repository does not exist (or is not visible). */
export function repositoryNotFound(nameOrId: string) {
  return error(
    404,
    'GitRepositoryNotFoundException',
    GIT_SERVER,
    `TF401019: The Git repository with name or identifier ${nameOrId} does not exist or you do not have permissions for the operation you are attempting.`,
  );
}

/** TF400948: a repository with the name already exists in the project. */
export function repositoryExists(name: string) {
  return error(
    409,
    'GitRepositoryNameAlreadyExistsException',
    GIT_SERVER,
    `TF400948: A Git repository with the name ${name} already exists.`,
  );
}

/** TF401025: the repository name contains characters Azure DevOps refuses. */
export function invalidRepositoryName(name: string) {
  return error(
    400,
    'InvalidGitRepositoryNameException',
    GIT_SERVER,
    `TF401025: '${name}' is not a valid name. Names must not contain control characters or any of the following characters: \\ / : * ? " < > | ; # $ { } , + = [ ], must not begin with '_' or '.', must not end with '.', and must be no longer than 64 characters.`,
  );
}

/** The versionDescriptor as the service prints it: `<Branch: main >`. */
export function describeVersion(versionType: string, version: string) {
  const kind = versionType.charAt(0).toUpperCase() + versionType.slice(1);
  return `<${kind}: ${version} >`;
}

/** TF401174: no item at that path and version. */
export function itemNotFound(
  path: string,
  repository: string,
  version: string,
  commitId: string,
) {
  return error(
    404,
    'GitItemNotFoundException',
    GIT_SERVER,
    `TF401174: The item '${path}' could not be found in the repository '${repository}' at the version specified by '${version}' (resolved to commit '${commitId}').`,
  );
}

/** The repository has no branch to read a branch version from. */
export function noBranches(repository: string) {
  return error(
    404,
    'GitItemNotFoundException',
    GIT_SERVER,
    `Cannot find any branches for the ${repository} repository.`,
  );
}

/** TF401175: the version (branch, tag, commit) does not resolve. */
export function unresolvableVersion(version: string, repository: string) {
  return error(
    404,
    'GitUnresolvableToCommitException',
    GIT_SERVER,
    `TF401175:The version descriptor ${version} could not be resolved to a version in the repository ${repository}`,
  );
}

/** TF401028: the ref moved since the client read it. */
export function referenceStale(ref: string) {
  return error(
    409,
    'GitReferenceStaleException',
    GIT_SERVER,
    `TF401028: The reference '${ref}' has already been updated by another client, so you cannot update it. Please try again.`,
  );
}

/** The message of a ref update refused because the branch takes pull requests only. */
export const PUSH_REJECTED_BY_POLICY =
  'TF402455: Pushes to this branch are not permitted; you must use a pull request to update this branch.';

/**
 * TF402455: a branch with an enabled blocking (required) pull request policy
 * takes no direct updates. `GitPushUtil.CheckRefUpdateSuccess` throws
 * `GitRefUpdateRejectedByPolicyException`, which `GitApiController` answers 403.
 */
export function refUpdateRejectedByPolicy() {
  return error(
    403,
    'GitRefUpdateRejectedByPolicyException',
    GIT_SERVER,
    PUSH_REJECTED_BY_POLICY,
  );
}

/** A policy type id the organization does not know (`PolicyTypeNotFoundException`). */
export function policyTypeNotFound(id: string) {
  return error(
    404,
    'PolicyTypeNotFoundException',
    'Microsoft.TeamFoundation.Policy.Server',
    `The policy type '${id}' was not found.`,
  );
}

/** A policy configuration id that does not exist in the project. */
export function policyConfigurationNotFound(id: string) {
  return error(
    404,
    'PolicyConfigurationNotFoundException',
    'Microsoft.TeamFoundation.Policy.Server',
    `Policy configuration with ID ${id} does not exist.`,
  );
}

/** A request the Git controllers reject as an invalid argument (400). */
export function invalidArgument(message: string, parameter?: string) {
  return error(
    400,
    'InvalidArgumentValueException',
    SOURCE_CONTROL,
    parameter ? withParameter(message, parameter) : message,
  );
}

/** A plain `ArgumentException` (400), e.g. conflicting item query parameters. */
export function argumentError(message: string) {
  return error(400, 'ArgumentException', 'System', message, 0);
}

/** TF401179: an active pull request for the same branches exists. */
export function pullRequestExists() {
  return error(
    409,
    'GitPullRequestExistsException',
    GIT_SERVER,
    'TF401179: An active pull request for the source and target branch already exists.',
  );
}

/** TF401180: the pull request does not exist. */
export function pullRequestNotFound() {
  return error(
    404,
    'GitPullRequestNotFoundException',
    GIT_SERVER,
    'TF401180: The requested pull request was not found.',
  );
}

/** TF401398: a pull request whose source or target branch is missing. */
export function pullRequestCannotBeActivated() {
  return error(
    400,
    'GitPullRequestCannotBeActivated',
    GIT_SERVER,
    'TF401398: The pull request cannot be activated because the source and/or the target branch no longer exists, or the requested refs are not branches',
  );
}

/** Completing a pull request whose source branch moved past `lastMergeSourceCommit`. */
export function pullRequestStale() {
  return error(
    409,
    'GitPullRequestStaleException',
    GIT_SERVER,
    'The pull request cannot be completed because the source branch has been updated since the last merge source commit was computed. Refresh the pull request and try again.',
  );
}

/** An update the pull request's state does not allow (e.g. completing an abandoned one). */
export function pullRequestNotEditable(message: string) {
  return error(400, 'GitPullRequestNotEditableException', GIT_SERVER, message);
}

/** A service hook subscription that is unknown. */
export function subscriptionNotFound(id: string) {
  return error(
    404,
    'SubscriptionNotFoundException',
    SERVICE_HOOKS,
    `VS1100022: The subscription ${id} does not exist.`,
  );
}

/** A service hook subscription with invalid or unsupported inputs. */
export function invalidSubscription(message: string) {
  return error(400, 'ServiceHookException', SERVICE_HOOKS, message);
}

/** A request body that is not JSON. */
export function invalidJsonBody() {
  return invalidArgument(
    'The request body is not valid JSON.',
    'contentStream',
  );
}

/** A request body over the size limit. */
export function requestTooLarge() {
  return error(
    413,
    'RequestContentTooLargeException',
    WEB_API,
    'The request content exceeds the maximum size allowed.',
  );
}

/** An unexpected failure, in the service's error shape. */
export function internalError(message: string) {
  return error(500, 'Exception', 'System', message, 0);
}
