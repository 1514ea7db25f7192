import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileGlob, globProblem } from '../../../src/util/glob.js';

const m = (pattern: string, name: string): boolean => compileGlob(pattern).matches(name);

describe('job-name globs', () => {
  it('* stays within one folder level, ** crosses folders', () => {
    expect(m('*-deploy', 'web-deploy')).toBe(true);
    expect(m('*-deploy', 'team/web-deploy')).toBe(false);
    expect(m('**-deploy', 'team/web-deploy')).toBe(true);
    expect(m('release/*', 'release/app')).toBe(true);
    expect(m('release/*', 'release/app/main')).toBe(false);
    expect(m('release/**', 'release/app/main')).toBe(true);
    expect(m('release/**', 'release')).toBe(false);
    expect(m('release/**', 'prerelease/app')).toBe(false);
    expect(m('*', '')).toBe(true);
    expect(m('a*b*c', 'a-b-c')).toBe(true);
    expect(m('a*b*c', 'a-b-')).toBe(false);
  });

  it('** followed by / also matches no folder at all', () => {
    expect(m('release/**/deploy', 'release/deploy')).toBe(true);
    expect(m('release/**/deploy', 'release/a/b/deploy')).toBe(true);
    expect(m('release/**/deploy', 'release/a/b/undeploy')).toBe(false);
    expect(m('**/deploy', 'deploy')).toBe(true);
    expect(m('**/deploy', 'x/y/deploy')).toBe(true);
    expect(m('**/deploy', 'x/ydeploy')).toBe(false);
  });

  it('? and character classes match one character, never /', () => {
    expect(m('job-?', 'job-1')).toBe(true);
    expect(m('job-?', 'job-12')).toBe(false);
    expect(m('a?b', 'a/b')).toBe(false);
    expect(m('job-[0-9]', 'job-7')).toBe(true);
    expect(m('job-[!0-9]', 'job-7')).toBe(false);
    expect(m('job-[^0-9]', 'job-x')).toBe(true);
    expect(m('a[/]b', 'a/b')).toBe(false);
    expect(m('[]x]', ']')).toBe(true);
    expect(m('[a\\-z]', '-')).toBe(true);
    expect(m('[a\\-z]', 'b')).toBe(false);
  });

  it('everything else is literal: regex metacharacters, dots, dollars, unicode', () => {
    expect(m('a.b', 'a.b')).toBe(true);
    expect(m('a.b', 'axb')).toBe(false);
    expect(m('(x|y)+$', '(x|y)+$')).toBe(true);
    expect(m('(x|y)+$', 'x')).toBe(false);
    expect(m('.hidden*', '.hidden-job')).toBe(true);
    expect(m('déploiement-?', 'déploiement-ü')).toBe(true);
    expect(m('🚀-?', '🚀-x')).toBe(true);
    expect(m('\\*', '*')).toBe(true);
    expect(m('\\*', 'x')).toBe(false);
    expect(m('Release/*', 'release/app')).toBe(false);
  });

  it('hostile names: newlines, control characters, very long names', () => {
    expect(m('team/*', 'team/evil\nname')).toBe(true);
    expect(m('team/*', 'team/evil\n/name')).toBe(false);
    expect(m('*\u0000*', 'a\u0000b')).toBe(true);
    const long = 'a'.repeat(20_000);
    // A pattern that backtracks exponentially as a naive regex: a DP answers at once.
    expect(m('*a*a*a*a*a*a*a*a*a*a*b', long)).toBe(false);
    expect(m('**a**a**a**a**a**a**b', long + 'b')).toBe(true);
  });

  it('agrees with a reference regex on random names (no / in classes, plain stars)', () => {
    const toRegex = (p: string): RegExp =>
      new RegExp(
        '^' +
          p
            .split('')
            .map((c) => (c === '*' ? '[^/]*' : c === '?' ? '[^/]' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
            .join('') +
          '$',
        'u',
      );
    const alphabet = fc.constantFrom('a', 'b', '/', '.', '-');
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', '/', '*', '?', '.'), { minLength: 1, maxLength: 8 }), fc.array(alphabet, { maxLength: 10 }), (pat, name) => {
        const p = pat.join('').replace(/\*\*+/g, '*');
        expect(m(p, name.join(''))).toBe(toRegex(p).test(name.join('')));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses what is not a glob, naming the problem', () => {
    expect(globProblem('')).toMatch(/empty/);
    expect(globProblem('release/***')).toMatch(/\*\*\*/);
    expect(globProblem('job-[0-9')).toMatch(/unclosed \[/);
    expect(globProblem('job\\')).toMatch(/trailing/);
    expect(globProblem('{a,b}/**')).toMatch(/brace/);
    expect(globProblem('[z-a]')).toMatch(/reversed/);
    expect(globProblem('release/**')).toBeUndefined();
    expect(globProblem('\\{literal\\}')).toBeUndefined();
    expect(() => compileGlob('[')).toThrow(/unclosed/);
  });
});
