import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIR = fileURLToPath(new URL('../../../deploy/systemd/', import.meta.url));
const units = readdirSync(DIR).filter((f) => f.endsWith('.service'));

describe('deploy/systemd', () => {
  it('has a unit per role that `systemd-analyze verify` accepts without a warning', () => {
    expect(units.sort()).toEqual(['rightsize-alerts.service', 'rightsize-collect.service', 'rightsize-serve.service']);
    const run = spawnSync('systemd-analyze', ['verify', ...units.map((u) => `./${u}`)], { cwd: DIR, encoding: 'utf8' });
    expect(run.error, 'systemd-analyze is part of Debian\'s systemd package').toBeUndefined();
    expect(run.stderr.trim()).toBe('');
    expect(run.status).toBe(0);
  });

  it('runs each role unprivileged, restarts on failure and stops with SIGTERM (graceful flush)', () => {
    for (const u of units) {
      const text = readFileSync(DIR + u, 'utf8');
      expect(text, u).toMatch(/^User=rightsize$/m);
      expect(text, u).toMatch(/^Restart=on-failure$/m);
      expect(text, u).toMatch(/^KillSignal=SIGTERM$/m);
      expect(text, u).toMatch(/^NoNewPrivileges=yes$/m);
    }
  });
});
