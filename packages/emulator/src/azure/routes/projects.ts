/** Core: projects (list, read, create and delete as queued operations) and operations. */
import { randomUUID } from 'node:crypto';
import {
  invalidProjectCreate,
  methodNotAllowed,
  operationNotFound,
} from '../errors';
import {
  enumValue,
  integer,
  negotiate,
  readJson,
  sendJson,
  sendList,
  type RequestContext,
} from '../context';
import { LOCATIONS } from '../locations';
import type { ProjectState } from '../model';
import { projectJson } from '../views';
import type { AzureServices } from './common';

const VISIBILITIES = { private: 0, organization: 1, public: 2 };

function operationReference(
  services: AzureServices,
  ctx: RequestContext,
  id: string,
  status: string,
) {
  return {
    id,
    status,
    url: `${services.state.organizationUrl(
      ctx.organization,
    )}/_apis/operations/${id}`,
  };
}

async function queueOperation(
  services: AzureServices,
  ctx: RequestContext,
  work: () => Promise<void>,
) {
  const id = randomUUID();
  await work();
  ctx.organization.operations.set(id, {
    id,
    status: 'succeeded',
    resultMessage: null,
  });
  sendJson(ctx, 202, operationReference(services, ctx, id, 'queued'));
}

/** `projects[/{projectId}]`. */
export async function projectsResource(
  services: AzureServices,
  ctx: RequestContext,
  tail: string[],
) {
  negotiate(ctx, LOCATIONS.projects);
  const { organization } = ctx;
  const id = tail.join('/');
  if (!id) {
    if (ctx.method === 'GET') {
      const skip = integer(ctx, ['$skip'], 0);
      const top = integer(ctx, ['$top'], 100);
      const projects = [...organization.projects.values()]
        .sort((a, b) => a.name.localeCompare(b.name))
        .slice(skip, skip + top);
      sendList(
        ctx,
        projects.map(p => projectJson(services.state, organization, p)),
      );
    } else if (ctx.method === 'POST') {
      await createProjectFromRequest(services, ctx);
    } else {
      throw methodNotAllowed(ctx.method);
    }
    return;
  }
  const project = services.state.project(organization, id);
  if (ctx.method === 'GET') {
    sendJson(ctx, 200, projectDetails(services, ctx, project));
  } else if (ctx.method === 'DELETE') {
    await queueOperation(services, ctx, () =>
      services.state.deleteProject(organization, project),
    );
  } else {
    throw methodNotAllowed(ctx.method);
  }
}

function projectDetails(
  services: AzureServices,
  ctx: RequestContext,
  project: ProjectState,
) {
  const organizationUrl = services.state.organizationUrl(ctx.organization);
  const url = `${organizationUrl}/_apis/projects/${project.id}`;
  const includeCapabilities =
    String(ctx.url.searchParams.get('includeCapabilities')).toLowerCase() ===
    'true';
  return {
    ...projectJson(services.state, ctx.organization, project),
    _links: {
      self: { href: url },
      collection: {
        href: `${organizationUrl}/_apis/projectCollections/${ctx.organization.id}`,
      },
      web: { href: `${organizationUrl}/${encodeURIComponent(project.name)}` },
    },
    ...(includeCapabilities
      ? {
          capabilities: {
            versioncontrol: {
              sourceControlType: 'Git',
              gitEnabled: 'True',
              tfvcEnabled: 'False',
            },
            processTemplate: {
              templateName: 'Agile',
              templateTypeId: project.processTemplateId,
            },
          },
        }
      : {}),
    defaultTeam: {
      id: project.defaultTeamId,
      name: `${project.name} Team`,
      url: `${url}/teams/${project.defaultTeamId}`,
    },
  };
}

async function createProjectFromRequest(
  services: AzureServices,
  ctx: RequestContext,
) {
  const body = ((await readJson(ctx)) ?? {}) as {
    name?: unknown;
    description?: unknown;
    visibility?: unknown;
    capabilities?: {
      versioncontrol?: { sourceControlType?: unknown };
      processTemplate?: { templateTypeId?: unknown };
    };
  };
  const sourceControl = body.capabilities?.versioncontrol?.sourceControlType;
  const processTemplateId = body.capabilities?.processTemplate?.templateTypeId;
  if (
    typeof body.name !== 'string' ||
    typeof sourceControl !== 'string' ||
    typeof processTemplateId !== 'string'
  ) {
    throw invalidProjectCreate();
  }
  if (sourceControl.toLowerCase() !== 'git') {
    throw invalidProjectCreate();
  }
  const visibility = enumValue(body.visibility ?? 'private', VISIBILITIES);
  if (!visibility) throw invalidProjectCreate();
  const { organization } = ctx;
  // Validates the name and uniqueness before the operation is queued, as the service does.
  await queueOperation(services, ctx, async () => {
    await services.state.createProject(organization, {
      name: body.name as string,
      description:
        typeof body.description === 'string' ? body.description : undefined,
      visibility: visibility === 'public' ? 'public' : 'private',
      processTemplateId,
    });
  });
}

/** `operations/{operationId}`. */
export function getOperation(
  services: AzureServices,
  ctx: RequestContext,
  id: string,
) {
  negotiate(ctx, LOCATIONS.operations);
  if (ctx.method !== 'GET') throw methodNotAllowed(ctx.method);
  const operation = ctx.organization.operations.get(id.toLowerCase());
  if (!operation) throw operationNotFound(id);
  const reference = operationReference(
    services,
    ctx,
    operation.id,
    operation.status,
  );
  sendJson(ctx, 200, {
    ...reference,
    _links: { self: { href: reference.url } },
    detailedMessage: null,
    resultMessage: operation.resultMessage,
    resultUrl: null,
  });
}
