import { ConfigReader } from '@backstage/config';
import { stringify } from 'yaml';
import { readLubanConfig } from '../config/readLubanConfig';
import { appHostname, appHttpRoute, httpRouteAddress, overlayRoutePath, readHostnamePattern } from './httpRoute';

// Hostnames follow Gateway API's HTTPRoute v1 `spec.hostnames` (type Hostname: RFC 1123 DNS names,
// no IP address), https://gateway-api.sigs.k8s.io/reference/spec/#hostname
describe("an app's address", () => {
  it('names a host per app, project and environment from luban.gateway.hostnamePattern, else from domainSuffix', () => {
    const gateway = (luban: object) => readLubanConfig(new ConfigReader({ luban: { gateway: luban } })).gateway;
    expect(gateway({ hostnamePattern: '{app}-{env}.{project}.example.test' }).hostnamePattern).toBe('{app}-{env}.{project}.example.test');
    expect(gateway({ domainSuffix: 'Apps.Example.com' }).hostnamePattern).toBe('{app}.{project}.{env}.apps.example.com');
    expect(gateway({}).hostnamePattern).toBeUndefined();
    expect(appHostname('{app}.{project}.{env}.apps.example.com', { app: 'ledger-api', project: 'payments', env: 'snd' })).toBe(
      'ledger-api.payments.snd.apps.example.com',
    );
  });

  it('refuses a pattern that would let two apps share a host, or that gives no hostname, naming the key', () => {
    expect(() => readHostnamePattern('{app}.{env}.example.test', undefined)).toThrow(
      "luban.gateway.hostnamePattern '{app}.{env}.example.test' must contain {project}: otherwise two apps, projects or environments would share a host",
    );
    expect(() => readHostnamePattern('{app}_{project}.{env}.example.test', undefined)).toThrow(
      /does not give a hostname: 'a_a' is not a DNS label/,
    );
    expect(() => readHostnamePattern('{app}{project}{env}', undefined)).toThrow(/it has no domain/);
    // The longest names (40 + 30 + 10 characters) in one label pass 63: refused when the app is added, not at start.
    expect(() =>
      appHostname('{app}-{project}-{env}.example.test', { app: 'a'.repeat(40), project: 'p'.repeat(30), env: 'e'.repeat(10) }),
    ).toThrow(/is not a hostname: '.{82}' is not a DNS label/);
  });

  it('writes an HTTPRoute v1 attached to the Gateway, and reads the address back from the overlay that includes it', () => {
    const route = appHttpRoute({
      app: 'ledger-api',
      project: 'payments',
      hostname: 'ledger-api.payments.snd.apps.example.com',
      gateway: { name: 'luban-gateway', namespace: 'gateway' },
    });
    expect(route).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'ledger-api', labels: { 'app.kubernetes.io/name': 'ledger-api', 'app.kubernetes.io/part-of': 'payments' } },
      spec: {
        parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'luban-gateway', namespace: 'gateway' }],
        hostnames: ['ledger-api.payments.snd.apps.example.com'],
        rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'ledger-api', port: 80 }] }],
      },
    });
    expect(httpRouteAddress(stringify(route))).toBe('https://ledger-api.payments.snd.apps.example.com/');

    const overlay = 'apps/ledger-api/overlays/snd/kustomization.yaml';
    expect(overlayRoutePath(overlay, stringify({ resources: ['../../base', 'httproute.yaml'] }))).toBe('apps/ledger-api/overlays/snd/httproute.yaml');
    // No route listed, or an overlay that is not YAML: no address, and nothing else to read.
    expect(overlayRoutePath(overlay, stringify({ resources: ['../../base'] }))).toBeUndefined();
    expect(overlayRoutePath(overlay, 'resources: [\n')).toBeUndefined();
    expect(httpRouteAddress(stringify({ ...route, kind: 'GRPCRoute' }))).toBeUndefined();
    expect(httpRouteAddress(stringify({ ...route, spec: { ...route.spec, hostnames: ['10.0.0.1'] } }))).toBeUndefined();
  });
});
