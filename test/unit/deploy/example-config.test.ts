import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { ConfigError } from '../../../src/errors/index.js';
import { notifiersFromConfig } from '../../../src/notifiers/index.js';

const FILE = fileURLToPath(new URL('../../../deploy/examples/rightsize.yaml', import.meta.url));
const ENV = {
  RIGHTSIZE_ES_API_KEY: 'es-key',
  RIGHTSIZE_JENKINS_TOKEN: 'jenkins-token',
  RIGHTSIZE_SMTP_PASSWORD: 'smtp-password',
  RIGHTSIZE_DINGTALK_URL: 'https://oapi.dingtalk.com/robot/send?access_token=t0ken',
  RIGHTSIZE_DINGTALK_SECRET: 'SECexample',
  RIGHTSIZE_WECOM_KEY: 'wecom-key',
};

describe('deploy/examples/rightsize.yaml (a real Jenkins-on-Mesos site)', () => {
  it('is a valid configuration: three masters, agents\' Docker engines over TLS, Jenkins with a token, SMTP, DingTalk and WeCom', () => {
    const { config } = loadConfig({ file: FILE, env: ENV });
    expect(config.mesos.masters).toHaveLength(3);
    expect(config.mesos.dockerHostTemplate).toMatch(/^https:\/\/\{hostname\}:2376$/);
    expect(config.docker.tls?.certFile).toBeDefined();
    expect(config.jenkins.token).toBe('jenkins-token');
    const kinds = Object.values(config.receivers).map((r) => Object.keys(r).find((k) => ['email', 'dingtalk', 'wecom'].includes(k)));
    expect(new Set(kinds)).toEqual(new Set(['email', 'dingtalk', 'wecom']));
    expect(config.report.receivers).toEqual(['team-lead-mail']);
  });

  it('builds every receiver from the environment\'s secrets (nothing secret in the file)', async () => {
    const { config } = loadConfig({ file: FILE, env: ENV });
    const notifiers = [...notifiersFromConfig(config, ENV).values()];
    expect(notifiers.map((n) => n.kind).sort()).toEqual(['dingtalk', 'email', 'email', 'wecom']);
    await Promise.all(notifiers.map((n) => n.close()));
    const text = readFileSync(FILE, 'utf8');
    for (const secret of Object.values(ENV)) expect(text.includes(secret)).toBe(false);
  });

  it('stays checked: a misspelt key in a copy of it is an error with its path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rs-example-'));
    const copy = join(dir, 'rightsize.yaml');
    writeFileSync(copy, readFileSync(FILE, 'utf8').replace('dockerHostTemplate:', 'dockerHostTemplat:'));
    expect(() => loadConfig({ file: copy, env: ENV })).toThrow(ConfigError);
  });
});
