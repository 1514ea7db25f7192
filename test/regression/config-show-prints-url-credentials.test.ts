import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

// Issue 14 item 10: `config show` masked apiKey/password/token but printed URL user info
// (RIGHTSIZE_ES_URL=http://elastic:pw@host:9200 showed `pw`; also jenkins.url, mesos.masters, docker.hosts).
const dir = mkdtempSync(join(tmpdir(), 'rs-config-show-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('regression: config show masks credentials inside URLs', () => {
  it('prints no password from any URL, keeps hosts visible', async () => {
    const file = join(dir, 'rightsize.yaml');
    writeFileSync(
      file,
      'mesos:\n  masters: ["http://ops:m4sterpw@master-1:5050"]\n  agents: ["http://ops:ag3ntpw@agent-1:5051"]\n' +
        'docker:\n  hosts: ["https://dock:d0ckerpw@engine-1:2376"]\n',
    );
    const r = await runCli(['config', 'show', '--config', file], {
      RIGHTSIZE_ES_URL: 'http://elastic:pw-es-123@es-host:9200',
      RIGHTSIZE_JENKINS_URL: 'http://bob:j3nkinstok@jenkins:8080/',
    });
    expect(r.code).toBe(0);
    for (const secret of ['pw-es-123', 'j3nkinstok', 'm4sterpw', 'ag3ntpw', 'd0ckerpw', 'elastic:', 'bob:', 'ops:', 'dock:']) expect(r.out).not.toContain(secret);
    const shown = JSON.parse(r.out) as { elasticsearch: { url: string }; jenkins: { url: string }; mesos: { masters: string[] }; docker: { hosts: string[] } };
    expect(shown.elasticsearch.url).toBe('http://***@es-host:9200/');
    expect(shown.jenkins.url).toBe('http://***@jenkins:8080/');
    expect(shown.mesos.masters[0]).toBe('http://***@master-1:5050/');
    expect(shown.docker.hosts[0]).toBe('https://***@engine-1:2376/');
  });
});
