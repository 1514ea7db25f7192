import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildSavedObjects, toNdjson } from '../../../src/dashboards/index.js';
import { MAPPINGS, type MappingProperty } from '../../../src/store/templates.js';
import { INDEX_KINDS, indexPattern, type IndexKind } from '../../../src/store/routing.js';

type Obj = { type: string; id: string; attributes: Record<string, unknown>; references: { type: string; id: string; name: string }[] };

const committed = readFileSync(new URL('../../../dashboards/rightsize.ndjson', import.meta.url), 'utf8');
const objects = committed
  .split('\n')
  .filter((l) => l !== '')
  .map((l) => JSON.parse(l) as Obj);

/** The mapping type of a dotted field in one index kind's template, or undefined when the field is not mapped. */
function mappedType(kind: IndexKind, field: string): string | undefined {
  const props = MAPPINGS[kind] as Record<string, MappingProperty>;
  if (field in props) return (props[field] as { type?: string }).type;
  const parts = field.split('.');
  let node: Record<string, MappingProperty> | undefined = props;
  for (let i = 0; i < parts.length; i += 1) {
    const p = node?.[parts[i] ?? ''] as { type?: string; properties?: Record<string, MappingProperty> } | undefined;
    if (!p) return undefined;
    if (i === parts.length - 1) return p.type ?? (p.properties ? 'object' : undefined);
    node = p.properties;
  }
  return undefined;
}

function kindOfDataView(id: string): IndexKind {
  const dv = objects.find((o) => o.type === 'index-pattern' && o.id === id);
  if (!dv) throw new Error(`data view ${id} is not in the file`);
  const kind = (Object.keys(INDEX_KINDS) as IndexKind[]).find((k) => indexPattern('rightsize', k) === dv.attributes['title']);
  if (!kind) throw new Error(`data view ${id} (${String(dv.attributes['title'])}) matches no index kind`);
  return kind;
}

const NUMERIC = new Set(['long', 'integer', 'short', 'double', 'float', 'half_float']);
const METRIC_OPS = new Set(['average', 'max', 'min', 'sum', 'median', 'percentile', 'last_value']);

describe('dashboards/rightsize.ndjson', () => {
  it('is what `rightsize dashboards export` generates from the definitions (regenerate when this fails)', () => {
    expect(committed).toBe(toNdjson(buildSavedObjects('rightsize')));
  });

  it('has one data view per index kind the issue names, with @timestamp as a date time field', () => {
    const titles = objects.filter((o) => o.type === 'index-pattern').map((o) => o.attributes['title']);
    expect(titles.sort()).toEqual(
      ['rightsize-containers-*', 'rightsize-cluster-*', 'rightsize-queue-*', 'rightsize-builds-*', 'rightsize-recommendations', 'rightsize-waste-*', 'rightsize-alert-events-*'].sort(),
    );
    for (const dv of objects.filter((o) => o.type === 'index-pattern')) {
      expect(dv.attributes['timeFieldName']).toBe('@timestamp');
      expect(mappedType(kindOfDataView(dv.id), '@timestamp')).toBe('date');
    }
  });

  it('references only fields the index templates map, with a type each panel can use', () => {
    let checked = 0;
    for (const lens of objects.filter((o) => o.type === 'lens')) {
      const state = lens.attributes['state'] as { datasourceStates: { formBased: { layers: Record<string, { columns: Record<string, { operationType: string; sourceField: string }> }> } }; query: { query: string } };
      for (const [layerId, layer] of Object.entries(state.datasourceStates.formBased.layers)) {
        const ref = lens.references.find((r) => r.name === `indexpattern-datasource-layer-${layerId}`);
        expect(ref, `${lens.id}: layer ${layerId} has a data view reference`).toBeDefined();
        const kind = kindOfDataView(ref?.id ?? '');
        for (const col of Object.values(layer.columns)) {
          if (col.operationType === 'count') continue;
          const type = mappedType(kind, col.sourceField);
          const where = `${lens.id}: ${col.operationType}(${col.sourceField}) on ${kind}`;
          expect(type, where).toBeDefined();
          if (METRIC_OPS.has(col.operationType)) expect(NUMERIC.has(type ?? ''), `${where} is ${type}`).toBe(true);
          else if (col.operationType === 'terms') expect(type, where).toBe('keyword');
          else if (col.operationType === 'date_histogram') expect(type, where).toBe('date');
          else throw new Error(`${where}: unexpected operation`);
          checked += 1;
        }
        // the KQL filter's fields too (`field : value and …`)
        for (const clause of state.query.query === '' ? [] : state.query.query.split(' and ')) {
          const field = clause.split(' : ')[0] ?? '';
          expect(mappedType(kind, field), `${lens.id}: filter field ${field} on ${kind}`).toBeDefined();
        }
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('resolves every reference to an object in the file, and every dashboard has panels with a reference each', () => {
    const ids = new Set(objects.map((o) => `${o.type}/${o.id}`));
    for (const o of objects) for (const r of o.references) expect(ids.has(`${r.type}/${r.id}`), `${o.id} → ${r.type}/${r.id}`).toBe(true);
    const dashboards = objects.filter((o) => o.type === 'dashboard');
    expect(dashboards.map((d) => d.attributes['title']).sort()).toEqual(
      ['[rightsize] Alerts', '[rightsize] Cluster capacity', '[rightsize] Containers', '[rightsize] Job right-sizing', '[rightsize] Queue waits'],
    );
    for (const d of dashboards) {
      const panels = JSON.parse(String(d.attributes['panelsJSON'])) as { panelIndex: string; panelRefName: string; type: string; gridData: { w: number; h: number } }[];
      expect(panels.length, d.id).toBeGreaterThan(0);
      for (const p of panels) {
        const ref = d.references.find((r) => r.name === `${p.panelIndex}:${p.panelRefName}`);
        expect(ref?.type, `${d.id} panel ${p.panelIndex}`).toBe('lens');
        expect(p.gridData.w).toBeGreaterThan(0);
      }
    }
  });

  it('keeps ids out of attributes (objects point at each other only by reference name)', () => {
    const allIds = objects.map((o) => o.id);
    for (const o of objects) {
      const attrs = JSON.stringify(o.attributes);
      for (const id of allIds) expect(attrs.includes(`"${id}"`), `${o.id} names ${id} inside its attributes`).toBe(false);
    }
  });

  it('follows the index prefix: data views of another prefix point at its indices, ids do not collide', () => {
    const acme = buildSavedObjects('acme');
    const titles = acme.filter((o) => o.type === 'index-pattern').map((o) => String(o.attributes['title']));
    expect(titles.every((t) => t.startsWith('acme-'))).toBe(true);
    const ours = new Set(objects.map((o) => o.id));
    expect(acme.some((o) => ours.has(o.id))).toBe(false);
  });
});
