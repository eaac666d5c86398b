/** Policy configurations (`{project}/_apis/policy/configurations[/{id}]`): create, list, read. */
import {
  invalidArgument,
  methodNotAllowed,
  policyConfigurationNotFound,
} from '../errors';
import {
  integer,
  param,
  readJson,
  sendJson,
  sendList,
  type RequestContext,
} from '../context';
import type {
  OrganizationState,
  PolicyConfigurationState,
  ProjectState,
} from '../model';
import {
  POLICY_TYPES,
  createPolicyConfiguration,
  updatePolicyConfiguration,
  type PolicyConfigurationInput,
} from '../policies';
import { identityRef } from '../views';
import type { AzureServices } from './common';

/** A `PolicyConfiguration` as the service returns it. */
export function policyConfigurationJson(
  services: AzureServices,
  organization: OrganizationState,
  project: ProjectState,
  policy: PolicyConfigurationState,
) {
  const base = services.state.organizationUrl(organization);
  const url = `${base}/${project.id}/_apis/policy/configurations/${policy.id}`;
  const typeUrl = `${base}/${project.id}/_apis/policy/types/${policy.typeId}`;
  return {
    createdBy: identityRef(base),
    createdDate: policy.createdDate,
    isEnabled: policy.isEnabled,
    isBlocking: policy.isBlocking,
    isDeleted: policy.isDeleted,
    settings: policy.settings,
    isEnterpriseManaged: false,
    _links: {
      self: { href: url },
      policyType: { href: typeUrl },
    },
    revision: policy.revision,
    id: policy.id,
    url,
    type: {
      id: policy.typeId,
      url: typeUrl,
      displayName: POLICY_TYPES[policy.typeId].displayName,
    },
  };
}

/** Serves `policy/configurations` of one project. */
export async function policyConfigurationsResource(
  services: AzureServices,
  ctx: RequestContext,
  project: ProjectState,
  configurationId: string | undefined,
) {
  const { organization } = ctx;
  const json = (p: PolicyConfigurationState) =>
    policyConfigurationJson(services, organization, project, p);
  if (configurationId !== undefined) {
    if (ctx.method !== 'GET' && ctx.method !== 'PUT')
      throw methodNotAllowed(ctx.method);
    const policy = organization.policies.get(Number(configurationId));
    if (!policy || policy.projectId !== project.id || policy.isDeleted)
      throw policyConfigurationNotFound(configurationId);
    if (ctx.method === 'PUT') {
      const body = await readJson(ctx);
      if (!body || typeof body !== 'object' || Array.isArray(body))
        throw invalidArgument('Value cannot be null.', 'configuration');
      updatePolicyConfiguration(policy, body as PolicyConfigurationInput);
    }
    sendJson(ctx, 200, json(policy));
    return;
  }
  if (ctx.method === 'POST') {
    const body = await readJson(ctx);
    if (!body || typeof body !== 'object' || Array.isArray(body))
      throw invalidArgument('Value cannot be null.', 'configuration');
    const policy = createPolicyConfiguration(
      organization,
      project,
      body as PolicyConfigurationInput,
    );
    sendJson(ctx, 200, json(policy));
    return;
  }
  if (ctx.method !== 'GET') throw methodNotAllowed(ctx.method);
  const type = param(ctx, 'policyType')?.toLowerCase();
  const repositoryId = param(ctx, 'repositoryId')?.toLowerCase();
  const refName = param(ctx, 'refName');
  const top = integer(ctx, ['$top'], 1000);
  const policies = [...organization.policies.values()]
    .filter(p => p.projectId === project.id && !p.isDeleted)
    .filter(p => !type || p.typeId === type)
    .filter(
      p =>
        !repositoryId ||
        p.scope.some(
          s => !s.repositoryId || s.repositoryId.toLowerCase() === repositoryId,
        ),
    )
    .filter(
      p =>
        !refName ||
        p.scope.some(
          s =>
            s.refName === undefined ||
            (s.matchKind === 'Prefix'
              ? refName.startsWith(s.refName)
              : s.refName === refName),
        ),
    )
    .slice(0, top);
  sendList(ctx, policies.map(json));
}
