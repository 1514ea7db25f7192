/** The one TLS options type: reading its PEM files. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasTlsFiles, readTlsMaterial } from '../../../src/collectors/tls.js';
import { REPO_ROOT } from '../../support/env.js';

const pem = (name: string): string => join(REPO_ROOT, 'test', 'unit', 'collectors', 'docker', 'tls', name);

describe('readTlsMaterial', () => {
  it('reads the named files; verification on unless turned off', () => {
    const m = readTlsMaterial({ caFile: pem('ca.pem'), certFile: pem('client.pem'), keyFile: pem('client-key.pem') }, 'docker.tls');
    expect(m.ca?.toString()).toContain('BEGIN CERTIFICATE');
    expect(m.key?.toString()).toContain('PRIVATE KEY');
    expect(m.rejectUnauthorized).toBe(true);
    expect(readTlsMaterial({ rejectUnauthorized: false }, 'tls')).toEqual({ rejectUnauthorized: false });
    expect(readTlsMaterial(undefined, 'tls')).toEqual({ rejectUnauthorized: true });
  });

  it('an unreadable file is RS_ERR_CONFIG_READ naming the config key and the file', () => {
    expect(() => readTlsMaterial({ keyFile: '/nonexistent/key.pem' }, 'docker.tls')).toThrow(
      expect.objectContaining({ code: 'RS_ERR_CONFIG_READ', message: 'docker.tls.keyFile: cannot read /nonexistent/key.pem' }),
    );
  });

  it('hasTlsFiles: any PEM file named', () => {
    expect(hasTlsFiles(undefined)).toBe(false);
    expect(hasTlsFiles({ rejectUnauthorized: false })).toBe(false);
    expect(hasTlsFiles({ caFile: 'x' })).toBe(true);
  });
});
