import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** Repo root (two levels above this file). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The real Elasticsearch started by `npm run es:start` (override: RIGHTSIZE_TEST_ES_URL). */
export function testEsUrl(): string {
  return process.env['RIGHTSIZE_TEST_ES_URL'] ?? 'http://127.0.0.1:9200';
}

/** The real Docker engine started by `npm run docker:start` (override: RIGHTSIZE_TEST_DOCKER_HOST). */
export function testDockerHost(): string {
  const explicit = process.env['RIGHTSIZE_TEST_DOCKER_HOST'];
  if (explicit) return explicit;
  const sock = join(REPO_ROOT, '.cache', 'docker', 'docker.sock');
  if (existsSync(sock)) return `unix://${sock}`;
  return process.env['DOCKER_HOST'] ?? 'unix:///var/run/docker.sock';
}

/** The busybox image with the workload program (`npm run docker:start` imports it). */
export function testWorkloadImage(): string {
  return process.env['RIGHTSIZE_WORKLOAD_IMAGE'] ?? 'rightsize/workload:latest';
}

/** The real-captures folder shipped beside the project (never copied into it). */
export const REAL_CAPTURES_DIR = process.env['RIGHTSIZE_REAL_CAPTURES'] ?? join(REPO_ROOT, '..', 'shared', 'real-captures');
