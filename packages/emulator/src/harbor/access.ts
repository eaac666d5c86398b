import type { IncomingMessage } from 'node:http';
import { forbidden, notFound, unauthorized } from './errors';
import type { ProjectRecord, RobotRecord } from './model';
import type { HarborState } from './state';

/**
 * Who a request acts as and what that principal may do, after Harbor's
 * security middleware (`server/middleware/security`) and RBAC
 * (`common/rbac`): bad credentials are not rejected up front, the request
 * just continues as anonymous, and each handler then answers 401 (anonymous)
 * or 403 (authenticated) when the permission is missing.
 */
export type Principal =
  | { kind: 'admin'; username: string }
  | { kind: 'robot'; robot: RobotRecord }
  | { kind: 'anonymous' };

/** The project-scope accesses a robot may be granted (`rbac.PoliciesMap["Project"]` of Harbor 2.11). */
export const PROJECT_ACCESSES = new Set([
  'log:list',
  'project:read',
  'project:delete',
  'project:update',
  'metadata:read',
  'metadata:create',
  'metadata:delete',
  'metadata:list',
  'metadata:update',
  'repository:read',
  'repository:update',
  'repository:delete',
  'repository:list',
  'repository:pull',
  'repository:push',
  'artifact:read',
  'artifact:create',
  'artifact:list',
  'artifact:delete',
  'scan:create',
  'scan:read',
  'scan:stop',
  'sbom:create',
  'sbom:read',
  'sbom:stop',
  'tag:create',
  'tag:list',
  'tag:delete',
  'accessory:list',
  'artifact-addition:read',
  'artifact-label:create',
  'artifact-label:delete',
  'scanner:create',
  'scanner:read',
  'preheat-policy:read',
  'preheat-policy:create',
  'preheat-policy:delete',
  'preheat-policy:list',
  'preheat-policy:update',
  'immutable-tag:create',
  'immutable-tag:delete',
  'immutable-tag:list',
  'immutable-tag:update',
  'notification-policy:read',
  'notification-policy:create',
  'notification-policy:delete',
  'notification-policy:list',
  'notification-policy:update',
  'tag-retention:read',
  'tag-retention:create',
  'tag-retention:delete',
  'tag-retention:list',
  'tag-retention:update',
  'label:read',
  'label:create',
  'label:delete',
  'label:list',
  'label:update',
  'quota:read',
]);

/** The system-scope accesses a system robot may be granted (`rbac.PoliciesMap["System"]`). */
export const SYSTEM_ACCESSES = new Set([
  'audit-log:list',
  'preheat-instance:read',
  'preheat-instance:create',
  'preheat-instance:delete',
  'preheat-instance:list',
  'preheat-instance:update',
  'project:list',
  'project:create',
  'replication-policy:read',
  'replication-policy:create',
  'replication-policy:delete',
  'replication-policy:list',
  'replication-policy:update',
  'replication:read',
  'replication:create',
  'replication:list',
  'replication-adapter:list',
  'registry:read',
  'registry:create',
  'registry:delete',
  'registry:list',
  'registry:update',
  'scan-all:read',
  'scan-all:update',
  'scan-all:stop',
  'scan-all:create',
  'system-volumes:read',
  'garbage-collection:read',
  'garbage-collection:create',
  'garbage-collection:list',
  'garbage-collection:update',
  'garbage-collection:stop',
  'purge-audit:read',
  'purge-audit:create',
  'purge-audit:list',
  'purge-audit:update',
  'purge-audit:stop',
  'jobservice-monitor:list',
  'jobservice-monitor:stop',
  'scanner:read',
  'scanner:create',
  'scanner:delete',
  'scanner:list',
  'scanner:update',
  'label:read',
  'label:create',
  'label:delete',
  'label:update',
  'security-hub:read',
  'security-hub:list',
  'catalog:read',
  'quota:read',
  'quota:list',
]);

/** What anyone, even anonymous, may do in a public project (`rbac/project` public policies). */
const PUBLIC_PROJECT_ACCESSES = new Set([
  'project:read',
  'label:read',
  'label:list',
  'repository:list',
  'repository:read',
  'repository:pull',
  'tag:list',
  'accessory:list',
  'scan:read',
  'scanner:read',
  'artifact:read',
  'artifact:list',
  'artifact-addition:read',
]);

/** Decodes `Authorization: Basic` into a principal; anything that does not log in is anonymous. */
export function authenticate(
  req: IncomingMessage,
  admin: { username: string; password: string },
  state: HarborState,
): Principal {
  const match = (req.headers.authorization ?? '').match(/^Basic\s+(\S+)\s*$/i);
  if (!match) return { kind: 'anonymous' };
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return { kind: 'anonymous' };
  const username = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  if (username === admin.username && password === admin.password) {
    return { kind: 'admin', username };
  }
  // Harbor's robot security generator takes a name with the configured prefix as a robot's.
  if (username.startsWith(state.robotNamePrefix)) {
    const robot = state.robotByName(username.slice(state.robotNamePrefix.length));
    const expired =
      robot !== undefined &&
      robot.expiresAt !== -1 &&
      robot.expiresAt <= Date.now() / 1000;
    if (robot && robot.secret === password && !robot.disabled && !expired) {
      return { kind: 'robot', robot };
    }
  }
  return { kind: 'anonymous' };
}

function robotGrants(
  robot: RobotRecord,
  kind: string,
  namespace: string | undefined,
  access: string,
) {
  return robot.permissions.some(
    permission =>
      permission.kind === kind &&
      (namespace === undefined ||
        permission.namespace === '*' ||
        permission.namespace === namespace) &&
      permission.access.some(
        a => `${a.resource}:${a.action}` === access && a.effect !== 'deny',
      ),
  );
}

/** Whether the principal may perform `resource:action` in a project. */
export function canAccessProject(
  principal: Principal,
  project: ProjectRecord,
  access: string,
): boolean {
  if (principal.kind === 'admin') return true;
  if (project.metadata.public === 'true' && PUBLIC_PROJECT_ACCESSES.has(access))
    return true;
  return (
    principal.kind === 'robot' &&
    robotGrants(principal.robot, 'project', project.name, access)
  );
}

/** Whether the principal may perform a system-scope `resource:action`. */
export function canAccessSystem(principal: Principal, access: string): boolean {
  if (principal.kind === 'admin') return true;
  return (
    principal.kind === 'robot' &&
    robotGrants(principal.robot, 'system', undefined, access)
  );
}

/** The error of a missing permission: 401 for anonymous callers, 403 for the others. */
export function denied(principal: Principal) {
  return principal.kind === 'anonymous' ? unauthorized() : forbidden();
}

/** 401 unless the caller logged in. */
export function requireAuthenticated(principal: Principal) {
  if (principal.kind === 'anonymous') throw unauthorized();
}

/** The names of the projects a robot's permissions cover (`*` for all). */
export function robotProjectNames(robot: RobotRecord): string[] {
  return robot.permissions
    .filter(p => p.kind === 'project')
    .map(p => p.namespace);
}

/**
 * `BaseAPI.RequireProjectAccess`: a project named by name must exist (404
 * for everyone otherwise); one named by id is checked for permission
 * first, so only the admin learns that it does not exist.
 */
export function requireProjectAccess(
  principal: Principal,
  state: HarborState,
  ref: { name: string } | { id: number },
  access: string,
): ProjectRecord {
  if ('name' in ref) {
    const project = state.requireProject(ref.name);
    if (!canAccessProject(principal, project, access)) throw denied(principal);
    return project;
  }
  const project = state.projectById(ref.id);
  if (!project) {
    if (principal.kind === 'admin')
      throw notFound(`project ${ref.id} not found`);
    throw denied(principal);
  }
  if (!canAccessProject(principal, project, access)) throw denied(principal);
  return project;
}
