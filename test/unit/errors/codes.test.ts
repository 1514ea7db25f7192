import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, RightsizeError, redactUrl, stripCredentials } from '../../../src/errors/index.js';

describe('error codes', () => {
  const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
  const documented = new Set([...doc.matchAll(/`(RS_ERR_[A-Z_]+)`/g)].map((m) => m[1]));
  const codes = Object.keys(ERROR_CODES);

  it('follow RS_ERR_<AREA>_<PROBLEM>', () => {
    for (const code of codes) expect(code).toMatch(/^RS_ERR_[A-Z]+_[A-Z_]+$/);
  });
  it('are all documented in docs/errors.md', () => {
    expect(codes.filter((c) => !documented.has(c))).toEqual([]);
  });
  it('docs/errors.md lists no stale code', () => {
    expect([...documented].filter((c) => !codes.includes(c as string))).toEqual([]);
  });
  it('carry status, code and cause', () => {
    const cause = new Error('boom');
    const err = new RightsizeError('RS_ERR_HTTP_TIMEOUT', 'slow', { cause, meta: { url: 'http://x' } });
    expect(err.statusCode).toBe(504);
    expect(err.code).toBe('RS_ERR_HTTP_TIMEOUT');
    expect(err.cause).toBe(cause);
    expect(err).toBeInstanceOf(Error);
  });
});

describe('redactUrl', () => {
  it('masks user info and secret query parameters', () => {
    expect(redactUrl('http://bob:s3cret@jenkins:8080/api/json?token=abc&depth=1')).toBe('http://***@jenkins:8080/api/json?token=***&depth=1');
  });
  it('leaves clean URLs alone and survives non-URLs', () => {
    expect(redactUrl('http://m1:5050/master/state')).toBe('http://m1:5050/master/state');
    expect(redactUrl('tcp//u:p@x')).not.toContain('u:p');
  });
});

describe('stripCredentials', () => {
  it('removes user info without a trace, masks secret query parameters, keeps the rest', () => {
    expect(stripCredentials('http://bob:s3cret@jenkins:8080/ci/?token=abc')).toBe('http://jenkins:8080/ci/?token=***');
    expect(stripCredentials('http://jenkins:8080/ci/')).toBe('http://jenkins:8080/ci/');
    expect(stripCredentials('https://bob@[::1]:8443/')).toBe('https://[::1]:8443/');
  });
  it('a URL with and without credentials gives the same text', () => {
    expect(stripCredentials('http://u:p@m1:5050')).toBe(stripCredentials('http://m1:5050'));
  });
});
