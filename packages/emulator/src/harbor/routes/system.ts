import { sendJson } from '../../http';
import { HARBOR_VERSION } from '../model';
import { route, type Call, type Route } from '../router';

function ping(call: Call) {
  call.res.writeHead(200, {
    'Content-Type': 'text/plain',
    'Content-Length': '4',
  });
  call.res.end('Pong');
}

function systemInfo(baseUrl: string, call: Call) {
  const info: Record<string, unknown> = {
    auth_mode: 'db_auth',
    banner_message: '',
    current_time: new Date().toISOString(),
    harbor_version: HARBOR_VERSION,
    oidc_provider_name: '',
    primary_auth_mode: false,
    self_registration: false,
  };
  if (call.principal.kind !== 'anonymous') {
    Object.assign(info, {
      external_url: baseUrl,
      has_ca_root: false,
      notification_enable: true,
      project_creation_restriction: 'adminonly',
      read_only: false,
      registry_storage_provider_name: 'filesystem',
      registry_url: new URL(baseUrl).host,
    });
  }
  sendJson(call.res, 200, info);
}

/** `ping` and `systeminfo`: liveness and what the instance reports about itself. */
export function systemRoutes(baseUrl: string): Route[] {
  return [
    route('/ping', { GET: call => ping(call) }),
    route('/systeminfo', { GET: call => systemInfo(baseUrl, call) }),
  ];
}
