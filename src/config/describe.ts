import type { TSchema } from '@sinclair/typebox';
import { ConfigSchema } from './schema.js';

interface Row {
  readonly path: string;
  readonly type: string;
  readonly defaultValue: string;
  readonly description: string;
}

function typeOf(schema: TSchema): string {
  const s = schema as { type?: string; items?: TSchema; anyOf?: TSchema[]; const?: unknown };
  if (s.anyOf) return s.anyOf.map((x) => ((x as { const?: unknown }).const !== undefined ? JSON.stringify((x as { const?: unknown }).const) : typeOf(x))).join(' \\| ');
  if (s.type === 'array' && s.items) return `${typeOf(s.items)}[]`;
  return s.type ?? 'any';
}

function walk(schema: TSchema, prefix: string, rows: Row[]): void {
  const props = (schema as { properties?: Record<string, TSchema> }).properties ?? {};
  for (const [key, child] of Object.entries(props)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const c = child as { type?: string; default?: unknown; description?: string; properties?: unknown; patternProperties?: Record<string, TSchema> };
    if (c.type === 'object' && c.properties) {
      walk(child, path, rows);
      continue;
    }
    // A map of named entries (`receivers.<name>`): one row for the map, then the entry's keys.
    const entry = c.patternProperties ? Object.values(c.patternProperties)[0] : undefined;
    if (c.type === 'object' && entry && (entry as { properties?: unknown }).properties) {
      rows.push({ path, type: 'map', defaultValue: c.default === undefined ? '—' : `\`${JSON.stringify(c.default)}\``, description: (c.description ?? '').replace(/\|/g, '\\|') });
      walk(entry, `${path}.<name>`, rows);
      continue;
    }
    rows.push({
      path,
      type: typeOf(child),
      defaultValue: c.default === undefined ? '—' : `\`${JSON.stringify(c.default)}\``,
      description: (c.description ?? '').replace(/\|/g, '\\|'),
    });
  }
}

/** Renders docs/configuration.md from the schema (generated; a test checks it is fresh). */
export function renderConfigDoc(): string {
  const rows: Row[] = [];
  walk(ConfigSchema, '', rows);
  return [
    '<!-- GENERATED from src/config/schema.ts by `npx tsx scripts/gen-config-doc.ts`. DO NOT EDIT. -->',
    '# Configuration reference',
    '',
    'One YAML file (`--config`, `$RIGHTSIZE_CONFIG`, or `./rightsize.yaml`); unknown keys are errors; `rightsize config check` lists every problem with its path.',
    'Environment overrides (for secrets): `RIGHTSIZE_ES_URL`, `RIGHTSIZE_ES_API_KEY`, `RIGHTSIZE_ES_USERNAME`, `RIGHTSIZE_ES_PASSWORD`, `RIGHTSIZE_ES_CA_FILE`, `RIGHTSIZE_INDEX_PREFIX`, `RIGHTSIZE_JENKINS_URL`, `RIGHTSIZE_JENKINS_USER`, `RIGHTSIZE_JENKINS_TOKEN`, `RIGHTSIZE_LOG_LEVEL`.',
    '',
    '| key | type | default | meaning |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| \`${r.path}\` | ${r.type} | ${r.defaultValue} | ${r.description} |`),
    '',
  ].join('\n');
}
