/**
 * Structural comparison of JSON documents for the emulator contract tests: the type of every
 * field that two documents have in common must agree (`null` is compatible with anything,
 * because Jenkins and Mesos both null out absent objects).
 */
export type Shape = 'null' | 'number' | 'string' | 'boolean' | { readonly obj: Map<string, Shape> } | { readonly arr: Shape | undefined };

export function shapeOf(v: unknown): Shape {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return { arr: v.map(shapeOf).reduce<Shape | undefined>((a, b) => (a === undefined ? b : merge(a, b)), undefined) };
  if (typeof v === 'object') return { obj: new Map(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, shapeOf(x)])) };
  return typeof v as 'number' | 'string' | 'boolean';
}

function merge(a: Shape, b: Shape): Shape {
  if (a === 'null') return b;
  if (b === 'null') return a;
  if (typeof a === 'object' && typeof b === 'object' && 'obj' in a && 'obj' in b) {
    const out = new Map(a.obj);
    for (const [k, s] of b.obj) out.set(k, out.has(k) ? merge(out.get(k)!, s) : s);
    return { obj: out };
  }
  if (typeof a === 'object' && typeof b === 'object' && 'arr' in a && 'arr' in b) {
    return { arr: a.arr === undefined ? b.arr : b.arr === undefined ? a.arr : merge(a.arr, b.arr) };
  }
  return a;
}

function kind(s: Shape): string {
  return typeof s === 'string' ? s : 'obj' in s ? 'object' : 'array';
}

/** Type mismatches between a real capture and the emulator on their common fields, as `path: real vs emulated`. */
export function mismatches(real: Shape, emu: Shape, path = ''): string[] {
  if (real === 'null' || emu === 'null') return [];
  if (kind(real) !== kind(emu)) return [`${path || '/'}: real ${kind(real)} vs emulated ${kind(emu)}`];
  if (typeof real === 'object' && typeof emu === 'object') {
    if ('obj' in real && 'obj' in emu) {
      const out: string[] = [];
      for (const [k, s] of real.obj) if (emu.obj.has(k)) out.push(...mismatches(s, emu.obj.get(k)!, `${path}/${k}`));
      return out;
    }
    if ('arr' in real && 'arr' in emu && real.arr !== undefined && emu.arr !== undefined) return mismatches(real.arr, emu.arr, `${path}[]`);
  }
  return [];
}

/** Number of fields (recursively) two shapes have in common, to make sure a comparison compared something. */
export function commonFields(real: Shape, emu: Shape): number {
  if (typeof real !== 'object' || typeof emu !== 'object') return 0;
  if ('obj' in real && 'obj' in emu) {
    let n = 0;
    for (const [k, s] of real.obj) if (emu.obj.has(k)) n += 1 + commonFields(s, emu.obj.get(k)!);
    return n;
  }
  if ('arr' in real && 'arr' in emu && real.arr !== undefined && emu.arr !== undefined) return commonFields(real.arr, emu.arr);
  return 0;
}

/** Reads `a.b[].c` style paths; `[]` takes the first element. */
export function at(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (cur === null || cur === undefined) return undefined;
    const isArr = part.endsWith('[]');
    const key = isArr ? part.slice(0, -2) : part;
    cur = key === '' ? cur : (cur as Record<string, unknown>)[key];
    if (isArr) cur = Array.isArray(cur) ? cur[0] : undefined;
  }
  return cur;
}
