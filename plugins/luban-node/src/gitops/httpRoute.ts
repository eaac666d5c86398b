import { posix } from 'node:path';
import { InputError } from '@backstage/errors';
import { parseAllDocuments, parseDocument } from 'yaml';

/**
 * The file of an app's Gateway API HTTPRoute, beside the kustomization of
 * each environment's overlay: luban writes it there and reads it back for the
 * Delivery view's link.
 * @public
 */
export const APP_ROUTE_FILE = 'httproute.yaml';

/** The Gateway API group of HTTPRoute v1 (https://gateway-api.sigs.k8s.io/reference/spec/#httproute). */
const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

/** The placeholders every hostname pattern must hold, so no two apps, projects or environments share a host. */
const REQUIRED_PLACEHOLDERS = ['{app}', '{project}', '{env}'] as const;

/**
 * A hostname as Gateway API's `Hostname` type takes it (RFC 1123, lower
 * case, no IP address); luban writes no wildcard host.
 */
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Where apps' routes attach (`luban.gateway`) and how their hosts are named.
 * @public
 */
export interface GatewayConfig {
  /** The Gateway's name (`luban.gateway.name`). */
  name: string;
  /** The Gateway's namespace (`luban.gateway.namespace`). */
  namespace: string;
  /** The DNS suffix of the Dagster web UI hosts (`luban.gateway.domainSuffix`). */
  domainSuffix?: string;
  /**
   * The host of an app in an environment, `{app}`, `{project}` and `{env}`
   * replaced (`luban.gateway.hostnamePattern`); by default
   * `{app}.{project}.{env}.<domainSuffix>`. Without either, apps get no route.
   */
  hostnamePattern?: string;
}

/** Why a hostname is not one Gateway API accepts, or undefined when it is. */
function hostnameProblem(hostname: string): string | undefined {
  if (hostname.length > 253) return `it is ${hostname.length} characters long; a hostname has at most 253`;
  const bad = hostname.split('.').find(label => !LABEL.test(label) || label.length > 63);
  if (bad !== undefined) {
    return `'${bad}' is not a DNS label (lowercase letters, digits and '-', at most 63 characters, neither starting nor ending with '-')`;
  }
  if (!hostname.includes('.')) return 'it has no domain';
  if (/^[0-9.]+$/.test(hostname)) return 'it is an IP address, which an HTTPRoute does not take';
  return undefined;
}

/**
 * Reads `luban.gateway.hostnamePattern` (else the default from
 * `domainSuffix`), failing with the key's name when it cannot give every app
 * a host of its own.
 */
export function readHostnamePattern(pattern: string | undefined, domainSuffix: string | undefined): string | undefined {
  if (pattern === undefined) return domainSuffix ? `{app}.{project}.{env}.${domainSuffix.trim().toLowerCase()}` : undefined;
  const missing = REQUIRED_PLACEHOLDERS.filter(placeholder => !pattern.includes(placeholder));
  if (missing.length) {
    throw new InputError(
      `luban.gateway.hostnamePattern '${pattern}' must contain ${missing.join(' and ')}: otherwise two apps, projects or environments would share a host`,
    );
  }
  const problem = hostnameProblem(pattern.replace(/\{(app|project|env)\}/g, 'a'));
  if (problem) throw new InputError(`luban.gateway.hostnamePattern '${pattern}' does not give a hostname: ${problem}`);
  return pattern;
}

/**
 * The host of an app in an environment, from the configured pattern.
 * Throws an InputError when the names make a label longer than DNS allows.
 * @public
 */
export function appHostname(pattern: string, names: { app: string; project: string; env: string }): string {
  const hostname = pattern.replace(/\{app\}/g, names.app).replace(/\{project\}/g, names.project).replace(/\{env\}/g, names.env);
  const problem = hostnameProblem(hostname);
  if (problem) throw new InputError(`The host of ${names.app} in ${names.env}, '${hostname}', is not a hostname: ${problem}`);
  return hostname;
}

/**
 * An app's HTTPRoute (Gateway API v1): every path of its host to the app's
 * Service on port 80, attached to the configured Gateway. The overlay's
 * `namespace:` puts it in the environment's namespace; a Gateway in another
 * namespace must allow routes from it (`allowedRoutes.namespaces`).
 * @public
 */
export function appHttpRoute(options: { app: string; project: string; hostname: string; gateway: Pick<GatewayConfig, 'name' | 'namespace'> }) {
  const { app, project, hostname, gateway } = options;
  return {
    apiVersion: `${GATEWAY_API_GROUP}/v1`,
    kind: 'HTTPRoute',
    metadata: { name: app, labels: { 'app.kubernetes.io/name': app, 'app.kubernetes.io/part-of': project } },
    spec: {
      parentRefs: [{ group: GATEWAY_API_GROUP, kind: 'Gateway', name: gateway.name, namespace: gateway.namespace }],
      hostnames: [hostname],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: app, port: 80 }] }],
    },
  };
}

/**
 * The route file an overlay's kustomization includes, by its path in the
 * repository; undefined when the overlay lists none (an app without an
 * address, or a kustomization luban cannot read).
 * @public
 */
export function overlayRoutePath(overlayPath: string, overlayContent: string): string | undefined {
  let resources: unknown;
  try {
    resources = parseDocument(overlayContent).toJS()?.resources;
  } catch {
    return undefined;
  }
  if (!Array.isArray(resources) || !resources.includes(APP_ROUTE_FILE)) return undefined;
  return posix.join(posix.dirname(overlayPath), APP_ROUTE_FILE);
}

/**
 * The address luban links for an app's host: HTTPS, as a Gateway's public
 * listener serves it (an HTTPRoute does not say which listener's scheme).
 * @public
 */
export function appAddress(hostname: string): string {
  return `https://${hostname}/`;
}

/**
 * The address an HTTPRoute file gives, {@link appAddress} of its first
 * hostname; undefined when the file holds no HTTPRoute with a hostname.
 * @public
 */
export function httpRouteAddress(content: string): string | undefined {
  let documents: unknown[];
  try {
    documents = parseAllDocuments(content).map(document => document.toJS());
  } catch {
    return undefined;
  }
  for (const object of documents as Array<{ apiVersion?: unknown; kind?: unknown; spec?: { hostnames?: unknown } } | null>) {
    const hostname = Array.isArray(object?.spec?.hostnames) ? object!.spec!.hostnames[0] : undefined;
    if (
      object?.kind === 'HTTPRoute' &&
      String(object.apiVersion).startsWith(`${GATEWAY_API_GROUP}/`) &&
      typeof hostname === 'string' &&
      !hostnameProblem(hostname)
    ) {
      return appAddress(hostname);
    }
  }
  return undefined;
}
