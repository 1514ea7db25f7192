import { indexPattern, type IndexKind } from '../store/routing.js';
import { TEMPLATE_VERSION } from '../store/templates.js';
import { DASHBOARDS, DATA_VIEW_KINDS } from './definitions.js';
import type { BucketSpec, DashboardSpec, FilterSpec, MetricSpec, PanelSpec } from './spec.js';

/**
 * Kibana 8.x saved objects built from the dashboard definitions: one data view (`index-pattern`)
 * per index kind, one Lens visualization per panel, one dashboard per definition. As Kibana's
 * import expects, objects point at each other only through `references` (by name: a Lens layer's
 * data view is the reference named `indexpattern-datasource-layer-<layerId>`, a dashboard panel's
 * Lens object the reference named in its `panelRefName`); no id appears inside `attributes`.
 * Ids are deterministic (prefix + name), so a re-import with `--overwrite` replaces the objects.
 */

/** One saved object as the import API reads it (one NDJSON line). */
export interface SavedObject {
  readonly type: 'index-pattern' | 'lens' | 'dashboard';
  readonly id: string;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly references: readonly { readonly type: string; readonly id: string; readonly name: string }[];
  readonly coreMigrationVersion: string;
  readonly typeMigrationVersion: string;
}

/** The Kibana version whose saved-object formats these objects follow (8.8 introduced `formBased`). */
const CORE_MIGRATION_VERSION = '8.8.0';
const TYPE_MIGRATION: Readonly<Record<SavedObject['type'], string>> = { 'index-pattern': '8.0.0', lens: '8.9.0', dashboard: '8.9.0' };
const LAYER_ID = 'layer1';

export function dataViewId(prefix: string, kind: IndexKind): string {
  return `${prefix}-dv-${kind}`;
}

function lensId(prefix: string, dashboard: DashboardSpec, panel: PanelSpec): string {
  return `${prefix}-lens-${dashboard.key}-${panel.key}`;
}

function dashboardId(prefix: string, dashboard: DashboardSpec): string {
  return `${prefix}-dashboard-${dashboard.key}`;
}

/** `a : "x" and b : true`; values are quoted and escaped for KQL. */
export function kql(filter: FilterSpec | undefined): string {
  if (!filter || filter.length === 0) return '';
  return filter
    .map((f) => `${f.field} : ${typeof f.value === 'boolean' ? String(f.value) : JSON.stringify(f.value)}`)
    .join(' and ');
}

type Column = Record<string, unknown>;

function metricColumn(m: MetricSpec): Column {
  const base = { label: m.label, customLabel: true, dataType: 'number', isBucketed: false, scale: 'ratio' };
  switch (m.op) {
    case 'count':
      return { ...base, operationType: 'count', sourceField: '___records___', params: { emptyAsNull: true } };
    case 'percentile':
      return { ...base, operationType: 'percentile', sourceField: m.field, params: { percentile: m.percentile } };
    case 'last_value':
      return { ...base, operationType: 'last_value', sourceField: m.field, params: { sortField: '@timestamp', showArrayValues: false } };
    default:
      return { ...base, operationType: m.op, sourceField: m.field, params: { emptyAsNull: true } };
  }
}

function bucketColumn(b: BucketSpec, orderColumnId: string): Column {
  if (b.op === 'date_histogram') {
    return {
      label: '@timestamp',
      dataType: 'date',
      operationType: 'date_histogram',
      sourceField: b.field,
      isBucketed: true,
      scale: 'interval',
      params: { interval: 'auto', includeEmptyRows: true, dropPartials: false },
    };
  }
  return {
    label: b.label,
    customLabel: true,
    dataType: 'string',
    operationType: 'terms',
    sourceField: b.field,
    isBucketed: true,
    scale: 'ordinal',
    params: { size: b.size, orderBy: { type: 'column', columnId: orderColumnId }, orderDirection: 'desc', otherBucket: true, missingBucket: false },
  };
}

function visualization(panel: PanelSpec, metricIds: readonly string[], xId: string | undefined, splitId: string | undefined): [string, Record<string, unknown>] {
  if (panel.chart === 'metric') {
    return ['lnsMetric', { layerId: LAYER_ID, layerType: 'data', metricAccessor: metricIds[0] }];
  }
  if (panel.chart === 'table') {
    const columns = [...(splitId ? [splitId] : []), ...metricIds].map((columnId) => ({ columnId }));
    return ['lnsDatatable', { layerId: LAYER_ID, layerType: 'data', columns }];
  }
  const layer: Record<string, unknown> = { layerId: LAYER_ID, layerType: 'data', seriesType: panel.chart, accessors: metricIds, xAccessor: xId };
  if (splitId) layer['splitAccessor'] = splitId;
  return [
    'lnsXY',
    { legend: { isVisible: true, position: 'right' }, valueLabels: 'hide', preferredSeriesType: panel.chart, layers: [layer] },
  ];
}

function lensObject(prefix: string, dashboard: DashboardSpec, panel: PanelSpec): SavedObject {
  const columns: Record<string, Column> = {};
  const metricIds = panel.metrics.map((_, i) => `m${i}`);
  const first = metricIds[0] ?? 'm0';
  const order: string[] = [];
  let splitId: string | undefined;
  let xId: string | undefined;
  if (panel.split) {
    splitId = 'split';
    columns[splitId] = bucketColumn(panel.split, first);
    order.push(splitId);
  }
  if (panel.x) {
    xId = 'x';
    columns[xId] = bucketColumn(panel.x, first);
    order.push(xId);
  }
  panel.metrics.forEach((m, i) => {
    const id = metricIds[i] ?? `m${i}`;
    columns[id] = metricColumn(m);
    order.push(id);
  });
  const [visualizationType, vis] = visualization(panel, metricIds, xId, splitId);
  return {
    type: 'lens',
    id: lensId(prefix, dashboard, panel),
    attributes: {
      title: `[rightsize] ${dashboard.title}: ${panel.title}`,
      description: '',
      visualizationType,
      state: {
        datasourceStates: { formBased: { layers: { [LAYER_ID]: { columns, columnOrder: order, incompleteColumns: {} } } } },
        visualization: vis,
        query: { language: 'kuery', query: kql(panel.filter) },
        filters: [],
        internalReferences: [],
        adHocDataViews: {},
      },
    },
    references: [{ type: 'index-pattern', id: dataViewId(prefix, panel.kind), name: `indexpattern-datasource-layer-${LAYER_ID}` }],
    coreMigrationVersion: CORE_MIGRATION_VERSION,
    typeMigrationVersion: TYPE_MIGRATION.lens,
  };
}

function dashboardObject(prefix: string, dashboard: DashboardSpec): SavedObject {
  let x = 0;
  let y = 0;
  let rowH = 0;
  const panels = dashboard.panels.map((p, i) => {
    if (x + p.w > 48) {
      x = 0;
      y += rowH;
      rowH = 0;
    }
    const panelIndex = `p${i}`;
    const panel = {
      type: 'lens',
      panelIndex,
      gridData: { x, y, w: p.w, h: p.h, i: panelIndex },
      embeddableConfig: { enhancements: {} },
      panelRefName: `panel_${panelIndex}`,
    };
    x += p.w;
    rowH = Math.max(rowH, p.h);
    return panel;
  });
  return {
    type: 'dashboard',
    id: dashboardId(prefix, dashboard),
    attributes: {
      title: `[rightsize] ${dashboard.title}`,
      description: `${dashboard.description} Generated by rightsize for index templates v${TEMPLATE_VERSION}, index prefix '${prefix}'.`,
      panelsJSON: JSON.stringify(panels),
      optionsJSON: JSON.stringify({ useMargins: true, syncColors: false, syncCursor: true, syncTooltips: false, hidePanelTitles: false }),
      timeRestore: true,
      timeFrom: 'now-7d',
      timeTo: 'now',
      refreshInterval: { pause: false, value: 60_000 },
      kibanaSavedObjectMeta: { searchSourceJSON: JSON.stringify({ query: { query: '', language: 'kuery' }, filter: [] }) },
    },
    references: dashboard.panels.map((p, i) => ({ type: 'lens', id: lensId(prefix, dashboard, p), name: `p${i}:panel_p${i}` })),
    coreMigrationVersion: CORE_MIGRATION_VERSION,
    typeMigrationVersion: TYPE_MIGRATION.dashboard,
  };
}

function dataViewObject(prefix: string, kind: IndexKind): SavedObject {
  return {
    type: 'index-pattern',
    id: dataViewId(prefix, kind),
    attributes: { title: indexPattern(prefix, kind), name: `rightsize ${kind}`, timeFieldName: '@timestamp' },
    references: [],
    coreMigrationVersion: CORE_MIGRATION_VERSION,
    typeMigrationVersion: TYPE_MIGRATION['index-pattern'],
  };
}

/** Every saved object for an index prefix: data views first, then Lens objects, then dashboards. */
export function buildSavedObjects(prefix: string): SavedObject[] {
  return [
    ...DATA_VIEW_KINDS.map((k) => dataViewObject(prefix, k)),
    ...DASHBOARDS.flatMap((d) => d.panels.map((p) => lensObject(prefix, d, p))),
    ...DASHBOARDS.map((d) => dashboardObject(prefix, d)),
  ];
}

/** One object per line, keys in a fixed order, ending with a newline (the import API's file). */
export function toNdjson(objects: readonly SavedObject[]): string {
  return objects.map((o) => JSON.stringify(o)).join('\n') + '\n';
}
