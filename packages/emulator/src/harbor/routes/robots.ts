import { sendJson } from '../../http';
import {
  PROJECT_ACCESSES,
  SYSTEM_ACCESSES,
  canAccessSystem,
  denied,
  requireAuthenticated,
  requireProjectAccess,
  type Principal,
} from '../access';
import { JsonBody } from '../body';
import { badRequest, unprocessable } from '../errors';
import {
  NAME_PATTERN,
  generateSecret,
  isValidSecret,
  type RobotPermission,
  type RobotRecord,
} from '../model';
import { parsePaging, parseQuery, parseSort, sortRecords } from '../query';
import { route, type Call, type Route } from '../router';
import type { HarborState } from '../state';
import { robotFullName, robotJson } from '../views';
import { filterByTerms, newestFirst, sendEmpty, sendPage } from './common';

/** Binds and checks the permissions of a RobotCreate or Robot body. */
function readPermissions(body: JsonBody): RobotPermission[] {
  const raw = body.field<unknown[]>(body.value, 'permissions', 'array') ?? [];
  return raw.map(entry => {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      throw body.mismatch('permissions', entry, 'models.RobotPermission');
    }
    const permission = entry as Record<string, unknown>;
    const access = (
      body.field<unknown[]>(
        permission,
        'access',
        'array',
        'permissions.access',
      ) ?? []
    ).map(item => {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) {
        throw body.mismatch('permissions.access', item, 'models.Access');
      }
      const fields = item as Record<string, unknown>;
      return {
        resource:
          body.field<string>(
            fields,
            'resource',
            'string',
            'permissions.access.resource',
          ) ?? '',
        action:
          body.field<string>(
            fields,
            'action',
            'string',
            'permissions.access.action',
          ) ?? '',
        effect: body.field<string>(
          fields,
          'effect',
          'string',
          'permissions.access.effect',
        ),
      };
    });
    return {
      kind:
        body.field<string>(permission, 'kind', 'string', 'permissions.kind') ??
        '',
      namespace:
        body.field<string>(
          permission,
          'namespace',
          'string',
          'permissions.namespace',
        ) ?? '',
      access,
    };
  });
}

/** `robotAPI.validate`, with Harbor's messages. */
function validateRobot(
  duration: number,
  level: string,
  permissions: RobotPermission[],
) {
  if (!(duration === -1 || (duration > 0 && duration < 2 ** 31 - 1))) {
    throw badRequest(
      `bad request error duration input: ${duration}, duration must be either -1(Never) or a positive integer`,
    );
  }
  if (level !== 'system' && level !== 'project') {
    throw badRequest(`bad request error level input: ${level}`);
  }
  if (permissions.length === 0)
    throw badRequest('bad request empty permission');
  if (permissions.some(p => p.access.length === 0))
    throw badRequest('bad request empty access');
  if (level === 'project' && permissions.length > 1)
    throw badRequest('bad request permission');
  for (const permission of permissions) {
    let allowed: Set<string>;
    if (permission.kind === 'system') {
      allowed = SYSTEM_ACCESSES;
    } else if (permission.kind === 'project') {
      allowed = PROJECT_ACCESSES;
    } else {
      throw badRequest(`bad request permission level: ${permission.kind}`);
    }
    for (const access of permission.access) {
      if (!allowed.has(`${access.resource}:${access.action}`)) {
        throw badRequest(
          `bad request permission: ${access.resource}:${access.action}`,
        );
      }
    }
  }
}

/** `robotAPI.requireAccess`: system robots need system access, project robots project access. */
function requireRobotAccess(
  state: HarborState,
  principal: Principal,
  level: string,
  project: { name: string } | { id: number },
  action: string,
) {
  if (level === 'system') {
    if (!canAccessSystem(principal, `robot:${action}`)) throw denied(principal);
    return;
  }
  requireProjectAccess(principal, state, project, `robot:${action}`);
}

async function createRobot(state: HarborState, call: Call) {
  const body = await JsonBody.read(call.req, 'robot', 'RobotCreate');
  const name = body.field<string>(body.value, 'name', 'string') ?? '';
  const description =
    body.field<string>(body.value, 'description', 'string') ?? '';
  // RobotCreate has a `secret`, but Harbor's controller always generates the secret itself.
  body.field<string>(body.value, 'secret', 'string');
  const level = body.field<string>(body.value, 'level', 'string') ?? '';
  const disable = body.field<boolean>(body.value, 'disable', 'bool') ?? false;
  const duration = body.field<number>(body.value, 'duration', 'int64') ?? 0;
  const permissions = readPermissions(body);
  if (!NAME_PATTERN.test(name)) {
    throw badRequest(
      'robot name is not in lower case or contains illegal characters',
    );
  }
  validateRobot(duration, level, permissions);
  requireRobotAccess(
    state,
    call.principal,
    level,
    { name: permissions[0].namespace },
    'create',
  );
  const project =
    level === 'project'
      ? state.requireProject(permissions[0].namespace)
      : undefined;
  const secret = generateSecret();
  const robot = state.createRobot({
    level: level as RobotRecord['level'],
    projectId: project?.id ?? 0,
    name: project ? `${project.name}+${name}` : name,
    description,
    secret,
    duration,
    expiresAt:
      duration === -1 ? -1 : Math.floor(Date.now() / 1000) + duration * 86400,
    disabled: disable,
    permissions,
  });
  const location = `${call.url.pathname.replace(/\/+$/, '')}/${robot.id}`;
  sendJson(
    call.res,
    201,
    {
      creation_time: robot.creationTime.toISOString(),
      expires_at: robot.expiresAt,
      id: robot.id,
      name: robotFullName(robot, state.robotNamePrefix),
      secret,
    },
    { Location: location },
  );
}

function listRobots(state: HarborState, call: Call) {
  const { searchParams } = call.url;
  const paging = parsePaging(searchParams);
  requireAuthenticated(call.principal);
  const terms = parseQuery(searchParams.get('q'));
  const levelTerm = terms.find(t => t.key === 'Level');
  let level = 'system';
  let projectId = 0;
  if (levelTerm) {
    level = levelTerm.kind === 'exact' ? levelTerm.value : '';
    if (level !== 'system' && level !== 'project')
      throw badRequest('bad request error level input');
    if (level === 'project') {
      const projectTerm = terms.find(t => t.key === 'ProjectID');
      if (!projectTerm)
        throw badRequest('must with project ID when to query project robots');
      const value = projectTerm.kind === 'exact' ? projectTerm.value : '';
      if (!/^-?\d+$/.test(value))
        throw badRequest('Project ID must be int type.');
      projectId = Number(value);
    }
  }
  requireRobotAccess(state, call.principal, level, { id: projectId }, 'list');
  const robots = filterByTerms(
    state.allRobots().filter(r => r.projectId === projectId),
    terms.filter(t => t.key !== 'Level' && t.key !== 'ProjectID'),
    {
      name: r => r.name,
      id: r => r.id,
      disabled: r => r.disabled,
      Disabled: r => r.disabled,
    },
  );
  const sorted = sortRecords(
    robots,
    parseSort(searchParams.get('sort')),
    {
      name: r => r.name,
      id: r => r.id,
      creation_time: r => r.creationTime.getTime(),
    },
    newestFirst('creation_time'),
  );
  sendPage(call, sorted, paging, robot => robotJson(robot, state.robotNamePrefix));
}

function robotFromPath(state: HarborState, call: Call): RobotRecord {
  const raw = call.params.robot_id;
  if (!/^-?\d+$/.test(raw))
    throw unprocessable(`robot_id in path must be of type int64: "${raw}"`);
  return state.requireRobot(Number(raw));
}

/** The robot `{robot_id}` names, once the caller may perform `robot:<action>` at the robot's level. */
function accessibleRobot(
  state: HarborState,
  call: Call,
  action: string,
): RobotRecord {
  requireAuthenticated(call.principal);
  const robot = robotFromPath(state, call);
  requireRobotAccess(
    state,
    call.principal,
    robot.level,
    { id: robot.projectId },
    action,
  );
  return robot;
}

function getRobot(state: HarborState, call: Call) {
  const robot = accessibleRobot(state, call, 'read');
  sendJson(call.res, 200, robotJson(robot, state.robotNamePrefix));
}

async function updateRobot(state: HarborState, call: Call) {
  const body = await JsonBody.read(call.req, 'robot', 'Robot');
  requireAuthenticated(call.principal);
  const robot = robotFromPath(state, call);
  const duration =
    body.field<number>(body.value, 'duration', 'int64') ?? robot.duration;
  const level = body.field<string>(body.value, 'level', 'string') ?? '';
  const name = body.field<string>(body.value, 'name', 'string') ?? '';
  const description =
    body.field<string>(body.value, 'description', 'string') ?? '';
  const disable = body.field<boolean>(body.value, 'disable', 'bool') ?? false;
  const permissions = readPermissions(body);
  validateRobot(duration, level, permissions);
  if (robot.level !== 'system') {
    const project = state.requireProject(permissions[0].namespace);
    if (project.id !== robot.projectId)
      throw badRequest('cannot update the project id of robot');
  }
  requireRobotAccess(
    state,
    call.principal,
    level,
    { name: permissions[0].namespace },
    'update',
  );
  if (level !== robot.level || name !== robotFullName(robot, state.robotNamePrefix)) {
    throw badRequest('cannot update the level or name of robot');
  }
  if (duration !== robot.duration) {
    robot.duration = duration;
    robot.expiresAt =
      duration === -1
        ? -1
        : Math.floor(robot.creationTime.getTime() / 1000) + duration * 86400;
  }
  robot.description = description;
  robot.disabled = disable;
  robot.permissions = permissions;
  robot.updateTime = new Date();
  sendEmpty(call.res, 200);
}

async function refreshRobotSecret(state: HarborState, call: Call) {
  const body = await JsonBody.read(call.req, 'robotSec', 'RobotSec');
  const requested = body.field<string>(body.value, 'secret', 'string') ?? '';
  const robot = accessibleRobot(state, call, 'update');
  if (requested) {
    if (!isValidSecret(requested)) {
      throw badRequest(
        'the secret must be 8-128, inclusively, characters long with at least 1 uppercase letter, 1 lowercase letter and 1 number',
      );
    }
    robot.secret = requested;
  } else {
    robot.secret = generateSecret();
  }
  robot.updateTime = new Date();
  // Harbor echoes only a secret it generated; a secret the caller chose is not sent back.
  sendJson(call.res, 200, requested ? {} : { secret: robot.secret });
}

function deleteRobot(state: HarborState, call: Call) {
  const robot = accessibleRobot(state, call, 'delete');
  state.deleteRobot(robot.id);
  sendEmpty(call.res, 200);
}

/** Robot accounts v2: list, create, look up, update, refresh the secret, delete. */
export function robotRoutes(state: HarborState): Route[] {
  return [
    route('/robots', {
      GET: call => listRobots(state, call),
      POST: call => createRobot(state, call),
    }),
    route('/robots/{robot_id}', {
      GET: call => getRobot(state, call),
      PUT: call => updateRobot(state, call),
      PATCH: call => refreshRobotSecret(state, call),
      DELETE: call => deleteRobot(state, call),
    }),
  ];
}
