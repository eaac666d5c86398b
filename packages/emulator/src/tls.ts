import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A certificate and its key, PEM-encoded. */
export interface TlsIdentity {
  cert: string;
  key: string;
}

/**
 * Makes a self-signed certificate for 127.0.0.1/localhost. The emulated API
 * server speaks HTTPS like a real one: kubectl refuses to send a bearer token
 * over plain HTTP.
 */
export function createSelfSignedIdentity(): TlsIdentity {
  const dir = mkdtempSync(join(tmpdir(), 'luban-emulator-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '3650',
        '-subj', '/CN=luban-emulator',
        '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-addext', 'basicConstraints=critical,CA:TRUE',
      ],
      { stdio: 'ignore' },
    );
    return {
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Makes this process trust the emulator's certificate for every new TLS
 * connection, in addition to the usual authorities: for tests, whose clients
 * (publish:azure, azure-devops-node-api) take no CA option.
 */
export function trustEmulatorCertificate(caCert: string): void {
  const tls = require('node:tls') as typeof import('node:tls') & {
    getCACertificates(type?: string): string[];
    setDefaultCACertificates(certs: string[]): void;
  };
  const current = tls.getCACertificates('default');
  if (!current.includes(caCert)) {
    tls.setDefaultCACertificates([...current, caCert]);
  }
}
