import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const text = readFileSync(new URL('../../../Dockerfile', import.meta.url), 'utf8');
/** Instructions with line continuations joined, comments dropped. */
const instructions = text
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));
const stages = instructions.reduce<string[][]>((acc, l) => {
  if (/^FROM\s/i.test(l)) acc.push([l]);
  else acc[acc.length - 1]?.push(l);
  return acc;
}, []);

describe('Dockerfile', () => {
  it('is multi-stage: the runtime stage copies the build from the build stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const runtime = stages[stages.length - 1] ?? [];
    expect(runtime.some((l) => /^COPY --from=build /.test(l))).toBe(true);
    expect(runtime.some((l) => /npm ci|tsc/.test(l))).toBe(false);
  });

  it('runs as a non-root user and health-checks /healthz', () => {
    const runtime = stages[stages.length - 1] ?? [];
    const user = runtime.filter((l) => /^USER\s/.test(l)).pop();
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER\s+(root|0)(:|\s|$)/);
    const hc = runtime.find((l) => /^HEALTHCHECK\s/.test(l));
    expect(hc).toMatch(/CMD/);
    expect(text).toMatch(/RIGHTSIZE_HEALTH_URL=http:\/\/127\.0\.0\.1:8080\/healthz/);
  });

  it('has no ENTRYPOINT (Marathon `cmd` runs through /bin/sh -c) and the launcher is executable in git', () => {
    expect(instructions.some((l) => /^ENTRYPOINT\s/.test(l))).toBe(false);
    const mode = execFileSync('git', ['ls-files', '-s', 'bin/rightsize.js'], { encoding: 'utf8' }).split(' ')[0];
    expect(mode).toBe('100755');
  });
});
