/**
 * Globs over Jenkins job full names (`folder/sub/job`) and label strings, for
 * `analysis.overrides[].match`. Hand-written rather than a library: job names are not file
 * paths (a leading `.` is an ordinary character, `\` is no separator, there is no cwd), the
 * syntax needed is small, and matching is a dynamic programme over (pattern token × name
 * character) — O(tokens × length), so a hostile pattern or name cannot backtrack
 * exponentially the way a glob compiled to a RegExp can.
 *
 * Syntax:
 * - `*` any run of characters except `/` (within one folder level), `?` one character except `/`
 * - `**` any run of characters including `/`; `**` directly followed by `/` also matches nothing,
 *   so `release/**` + `/deploy` matches `release/deploy`, and `**` + `/deploy` matches `deploy`
 * - `[abc]`, `[a-z]`, `[!a-z]` / `[^a-z]`: one character (never `/`) of / not of the set; `]` first
 *   in the set is literal
 * - `\x` the character x literally (`\*`, `\[`, `\{`)
 * - everything else is literal and case-sensitive. `{`/`}` are refused unescaped (no brace
 *   alternation: list several globs instead), as are `***`, an unclosed `[` and a trailing `\`.
 */

type Token =
  | { readonly t: 'lit'; readonly c: string }
  | { readonly t: 'any1' }
  | { readonly t: 'star' }
  | { readonly t: 'globstar' }
  /** `**` followed by `/`: nothing, or any run ending in `/`. */
  | { readonly t: 'globstarSlash' }
  | { readonly t: 'set'; readonly negated: boolean; readonly ranges: ReadonlyArray<readonly [number, number]> };

/** A compiled glob. */
export interface Glob {
  readonly source: string;
  matches(name: string): boolean;
}

/** Why a pattern is not a glob, or undefined when it is one. */
export function globProblem(pattern: string): string | undefined {
  try {
    tokenize(pattern);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Compiles `pattern`; throws an `Error` naming the problem (see {@link globProblem}). */
export function compileGlob(pattern: string): Glob {
  const tokens = tokenize(pattern);
  return { source: pattern, matches: (name) => matchTokens(tokens, Array.from(name)) };
}

function tokenize(pattern: string): Token[] {
  if (pattern.length === 0) throw new Error('an empty glob matches nothing');
  const cs = Array.from(pattern);
  const out: Token[] = [];
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!;
    if (c === '\\') {
      if (i + 1 >= cs.length) throw new Error('a trailing \\ escapes nothing');
      out.push({ t: 'lit', c: cs[++i]! });
    } else if (c === '*') {
      let n = 1;
      while (cs[i + n] === '*') n++;
      if (n > 2) throw new Error(`'${'*'.repeat(n)}' at ${i}: use * (one folder level) or ** (any depth)`);
      i += n - 1;
      if (n === 1) out.push({ t: 'star' });
      else if (cs[i + 1] === '/') {
        out.push({ t: 'globstarSlash' });
        i++;
      } else out.push({ t: 'globstar' });
    } else if (c === '?') out.push({ t: 'any1' });
    else if (c === '[') {
      let j = i + 1;
      let negated = false;
      if (cs[j] === '!' || cs[j] === '^') {
        negated = true;
        j++;
      }
      const ranges: Array<[number, number]> = [];
      let first = true;
      for (;;) {
        if (j >= cs.length) throw new Error(`unclosed [ at ${i}`);
        let ch = cs[j]!;
        if (ch === ']' && !first) break;
        first = false;
        if (ch === '\\') {
          if (j + 1 >= cs.length) throw new Error(`unclosed [ at ${i}`);
          ch = cs[++j]!;
        }
        const lo = ch.codePointAt(0)!;
        if (cs[j + 1] === '-' && j + 2 < cs.length && cs[j + 2] !== ']') {
          let hiCh = cs[j + 2]!;
          j += 2;
          if (hiCh === '\\') {
            if (j + 1 >= cs.length) throw new Error(`unclosed [ at ${i}`);
            hiCh = cs[++j]!;
          }
          const hi = hiCh.codePointAt(0)!;
          if (hi < lo) throw new Error(`range ${ch}-${hiCh} at ${i} is reversed`);
          ranges.push([lo, hi]);
        } else ranges.push([lo, lo]);
        j++;
      }
      out.push({ t: 'set', negated, ranges });
      i = j;
    } else if (c === '{' || c === '}') throw new Error(`'${c}' at ${i}: brace alternation is not supported (list several globs, or escape it as \\${c})`);
    else out.push({ t: 'lit', c });
  }
  return out;
}

function oneChar(tok: Token, c: string): boolean {
  switch (tok.t) {
    case 'lit':
      return tok.c === c;
    case 'any1':
      return c !== '/';
    case 'set': {
      if (c === '/') return false;
      const cp = c.codePointAt(0)!;
      const inSet = tok.ranges.some(([lo, hi]) => cp >= lo && cp <= hi);
      return inSet !== tok.negated;
    }
    default:
      return false;
  }
}

/**
 * `m[j]` = pattern tokens [0, i) match name characters [0, j), row by row over i. `globstarSlash`
 * matches the empty string or any run whose last character is `/`.
 */
function matchTokens(tokens: readonly Token[], name: readonly string[]): boolean {
  const n = name.length;
  let prev = new Uint8Array(n + 1);
  let cur = new Uint8Array(n + 1);
  prev[0] = 1;
  for (const tok of tokens) {
    cur.fill(0);
    if (tok.t === 'star' || tok.t === 'globstar') {
      // cur[j] = prev[j] || (cur[j-1] && name[j-1] may be swallowed)
      cur[0] = prev[0]!;
      for (let j = 1; j <= n; j++) cur[j] = prev[j] || (cur[j - 1] && (tok.t === 'globstar' || name[j - 1] !== '/')) ? 1 : 0;
    } else if (tok.t === 'globstarSlash') {
      // Reachable: prev[j] (empty), or some k < j with prev[k] and name[j-1] === '/'.
      let seen = 0;
      for (let j = 0; j <= n; j++) {
        if (j > 0 && name[j - 1] === '/' && seen) cur[j] = 1;
        if (prev[j]) {
          cur[j] = 1;
          seen = 1;
        }
      }
    } else {
      for (let j = 1; j <= n; j++) cur[j] = prev[j - 1] && oneChar(tok, name[j - 1]!) ? 1 : 0;
    }
    [prev, cur] = [cur, prev];
  }
  return prev[n] === 1;
}
