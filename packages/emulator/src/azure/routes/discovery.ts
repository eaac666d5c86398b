/** Discovery: resource areas and connection data (the calls clients make before any other). */
import { methodNotAllowed } from '../errors';
import { negotiate, sendJson, sendList, type RequestContext } from '../context';
import { LOCATIONS, RESOURCE_AREAS } from '../locations';
import { EMULATOR_USER } from '../model';
import type { AzureServices } from './common';

// The deployment (service instance) id connectionData reports.
const DEPLOYMENT_ID = '4a7d7e5e-3c41-4d6f-9a38-0c8d2b6f1e55';

/** `resourceAreas[/{areaId}]`: where each area is served. */
export function resourceAreas(
  services: AzureServices,
  ctx: RequestContext,
  areaId: string | undefined,
) {
  negotiate(ctx, LOCATIONS.resourceAreas);
  if (ctx.method !== 'GET') throw methodNotAllowed(ctx.method);
  const locationUrl = `${services.state.organizationUrl(ctx.organization)}/`;
  const areas = RESOURCE_AREAS.map(area => ({ ...area, locationUrl }));
  if (areaId === undefined) {
    sendList(ctx, areas);
    return;
  }
  const area = areas.find(
    a =>
      a.id === areaId.toLowerCase() ||
      a.name.toLowerCase() === areaId.toLowerCase(),
  );
  if (area) sendJson(ctx, 200, area);
  else sendJson(ctx, 404, null);
}

/** `connectionData`: who the caller is and which instance answers. */
export function connectionData(ctx: RequestContext) {
  negotiate(ctx, LOCATIONS.connectionData);
  if (ctx.method !== 'GET') throw methodNotAllowed(ctx.method);
  const user = {
    id: EMULATOR_USER.id,
    descriptor: EMULATOR_USER.descriptor,
    subjectDescriptor: EMULATOR_USER.descriptor,
    providerDisplayName: EMULATOR_USER.displayName,
    isActive: true,
    properties: {
      Account: { $type: 'System.String', $value: EMULATOR_USER.uniqueName },
    },
    resourceVersion: 2,
    metaTypeId: 0,
  };
  sendJson(ctx, 200, {
    authenticatedUser: user,
    authorizedUser: user,
    instanceId: ctx.organization.id,
    deploymentId: DEPLOYMENT_ID,
    deploymentType: 'hosted',
    locationServiceData: {
      serviceOwner: '00025394-6065-48ca-87d9-7f5672854ef7',
      defaultAccessMappingMoniker: 'PublicAccessMapping',
      lastChangeId: 1,
      lastChangeId64: 1,
    },
  });
}
