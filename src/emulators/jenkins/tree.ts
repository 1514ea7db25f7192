import { isRecord } from '../../util/json.js';

/**
 * Jenkins remote API `tree=` filter (hudson.model.Api / `TreeString`):
 * `tree=jobs[name,builds[number,url]{0,10}],_class`.
 * - `a[b,c]` keeps `a` and, inside it, only `b` and `c`;
 * - `{M,N}` after a name keeps array elements M..N-1; `{M,}` from M; `{,N}` up to N; `{N}` only N;
 * - a name without `[...]` whose value is an object keeps only that object's `_class`;
 * - `_class` is always kept, as Jenkins 2.x does.
 */
export interface TreeNode {
  readonly name: string;
  readonly children?: readonly TreeNode[];
  readonly range?: { readonly from: number; readonly to: number };
}

export class TreeSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TreeSyntaxError';
  }
}

/** Parses a `tree` expression; throws {@link TreeSyntaxError} on malformed input. */
export function parseTree(expr: string): TreeNode[] {
  let pos = 0;
  const peek = () => expr[pos];
  const list = (): TreeNode[] => {
    const out: TreeNode[] = [];
    for (;;) {
      out.push(item());
      if (peek() === ',') {
        pos++;
        continue;
      }
      return out;
    }
  };
  const item = (): TreeNode => {
    const start = pos;
    while (pos < expr.length && !'[]{},'.includes(expr[pos]!)) pos++;
    const name = expr.slice(start, pos).trim();
    if (name === '') throw new TreeSyntaxError(`expected a field name at ${start}`);
    let children: TreeNode[] | undefined;
    let range: { from: number; to: number } | undefined;
    if (peek() === '[') {
      pos++;
      children = list();
      if (peek() !== ']') throw new TreeSyntaxError(`expected ']' at ${pos}`);
      pos++;
    }
    if (peek() === '{') {
      pos++;
      const close = expr.indexOf('}', pos);
      if (close < 0) throw new TreeSyntaxError(`unclosed '{' at ${pos - 1}`);
      range = parseRange(expr.slice(pos, close));
      pos = close + 1;
    }
    return { name, ...(children ? { children } : {}), ...(range ? { range } : {}) };
  };
  const nodes = list();
  if (pos !== expr.length) throw new TreeSyntaxError(`unexpected '${expr[pos]}' at ${pos}`);
  return nodes;
}

function parseRange(s: string): { from: number; to: number } {
  const num = (v: string, dflt: number) => {
    const t = v.trim();
    if (t === '') return dflt;
    if (!/^\d+$/.test(t)) throw new TreeSyntaxError(`bad range bound '${v}'`);
    return Number(t);
  };
  const comma = s.indexOf(',');
  if (comma < 0) {
    const n = num(s, NaN);
    if (Number.isNaN(n)) throw new TreeSyntaxError('empty range');
    return { from: n, to: n + 1 };
  }
  return { from: num(s.slice(0, comma), 0), to: num(s.slice(comma + 1), Infinity) };
}

function filterValue(value: unknown, node: TreeNode): unknown {
  if (Array.isArray(value)) {
    const sliced = node.range ? value.slice(node.range.from, node.range.to === Infinity ? undefined : node.range.to) : value;
    return sliced.map((v: unknown) => filterValue(v, { name: node.name, ...(node.children ? { children: node.children } : {}) }));
  }
  if (isRecord(value)) {
    if (node.children) return applyTree(value, node.children);
    return '_class' in value ? { _class: value['_class'] } : {};
  }
  return value;
}

/** Applies parsed tree nodes to a JSON value (objects and arrays of objects). */
export function applyTree(value: unknown, nodes: readonly TreeNode[]): unknown {
  if (Array.isArray(value)) return value.map((v: unknown) => applyTree(v, nodes));
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  if ('_class' in value) out['_class'] = value['_class'];
  for (const n of nodes) {
    if (!(n.name in value)) continue;
    out[n.name] = filterValue(value[n.name], n);
  }
  return out;
}

/**
 * How deep a tree reaches (`a` → 0, `a[b]` → 1, `a[b[c]]` → 2): the export depth the emulator
 * renders at so that every level the tree names is present.
 */
export function treeDepth(nodes: readonly TreeNode[]): number {
  let d = 0;
  for (const n of nodes) if (n.children) d = Math.max(d, 1 + treeDepth(n.children));
  return d;
}
