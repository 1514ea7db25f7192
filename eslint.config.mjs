// Type-aware lint, per docs/style (design guide §25): no floating promises, type-only imports,
// no console outside the CLI's output layer, and no `export *` (every index lists its names).
// The layer table of docs/development.md is enforced below with `no-restricted-imports`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Every layer (folder under src/). */
const LAYERS = ['model', 'errors', 'util', 'config', 'scheduler', 'collectors', 'collect', 'store', 'analysis', 'alerts', 'notifiers', 'reports', 'dashboards', 'api', 'emulators', 'cli'];

/** Packages and Node modules that do I/O, keep time or log: never in a pure core. */
const IO_MODULES = [
  'node:fs', 'node:fs/promises', 'fs', 'fs/promises', 'node:net', 'net', 'node:http', 'http', 'node:https', 'https', 'node:http2', 'node:tls', 'node:dgram',
  'node:child_process', 'child_process', 'node:timers', 'node:timers/promises', 'timers', 'node:readline', 'node:zlib', 'node:stream', 'node:worker_threads',
  '@elastic/elasticsearch', 'dockerode', 'docker-modem', 'pino', 'fastify', 'nodemailer', 'node-cron', 'undici', 'smtp-server',
];

/** What the pure core may not take from util/: the logger and the system clock (inject a Clock). */
const UTIL_IO_NAMES = ['createLogger', 'silentLogger', 'Logger', 'systemClock'];

/**
 * The `no-restricted-imports` options of a folder: it may import the layers in `allowed` (and
 * itself); `deniedPaths` adds sub-folders it may not reach (e.g. another layer's service/);
 * `pure` forbids I/O modules, the logger and timers.
 */
function layerRule(self, allowed, { pure = false, deniedPaths = [] } = {}) {
  const denied = LAYERS.filter((l) => l !== self && !allowed.includes(l));
  const patterns = [];
  if (denied.length > 0)
    patterns.push({
      regex: `^\\.\\.?/(?:.*/)?(?:${denied.join('|')})/`,
      message: `layer table (docs/development.md): src/${self}/ may import only ${allowed.length > 0 ? allowed.join(', ') : 'nothing project-internal'}.`,
    });
  for (const d of deniedPaths) patterns.push({ regex: `^\\.\\.?/(?:.*/)?${d}/`, message: `layer table: src/${self}/ may not import a ${d}/ folder (the I/O shell of analysis, alerts, reports).` });
  if (pure) patterns.push({ regex: `^\\.\\.?/(?:.*/)?util/(?:logger|clock)\\.js$`, message: 'pure core: no logger or system clock (inject a Clock / now).' });
  if (pure) patterns.push({ regex: '^\\.\\.?/(?:.*/)?util/index\\.js$', importNames: UTIL_IO_NAMES, message: 'pure core: no logger or system clock (inject a Clock / now).' });
  return [
    'error',
    {
      ...(pure ? { paths: IO_MODULES.map((name) => ({ name, message: 'pure core: no client, socket, file, timer or logger (that belongs to the service/ shell).' })) } : {}),
      patterns,
    },
  ];
}

/** Timers and fetch in a pure core (periodic work belongs to src/scheduler/). */
const PURE_GLOBALS = ['error', ...['setTimeout', 'setInterval', 'setImmediate', 'fetch'].map((name) => ({ name, message: 'pure core: no timers or network; the shell (and src/scheduler/) owns them.' }))];

/** Layer table: files → rule. Later entries win for the same file (service/ after its layer). */
const LAYER_TABLE = [
  { files: ['src/model/**'], rule: layerRule('model', [], { pure: true }) },
  { files: ['src/errors/**'], rule: layerRule('errors', [], { pure: true }) },
  { files: ['src/util/**'], rule: layerRule('util', ['model', 'errors']) },
  { files: ['src/config/**'], rule: layerRule('config', ['model', 'errors', 'util']) },
  { files: ['src/scheduler/**'], rule: layerRule('scheduler', ['model', 'errors', 'util']) },
  { files: ['src/collectors/**'], rule: layerRule('collectors', ['model', 'errors', 'util', 'config']) },
  // store: the sink backs off and sleeps with the scheduler's backoffDelayMs / abortableSleep
  { files: ['src/store/**'], rule: layerRule('store', ['model', 'errors', 'util', 'config', 'scheduler']) },
  { files: ['src/analysis/**'], rule: layerRule('analysis', ['model', 'errors', 'util'], { pure: true, deniedPaths: ['service'] }), pure: true },
  { files: ['src/analysis/service/**'], rule: layerRule('analysis', ['model', 'errors', 'util', 'store']) },
  { files: ['src/alerts/**'], rule: layerRule('alerts', ['model', 'errors', 'util', 'analysis'], { pure: true, deniedPaths: ['service'] }), pure: true },
  { files: ['src/alerts/service/**'], rule: layerRule('alerts', ['model', 'errors', 'util', 'config', 'analysis', 'store', 'notifiers', 'scheduler']) },
  { files: ['src/notifiers/**'], rule: layerRule('notifiers', ['model', 'errors', 'util', 'config', 'scheduler']) },
  // collect: the collect process's shell (build summaries and their state file)
  { files: ['src/collect/**'], rule: layerRule('collect', ['model', 'errors', 'util', 'config', 'scheduler', 'store', 'analysis']) },
  // dashboards: saved objects built from the index templates' mappings and index patterns
  { files: ['src/dashboards/**'], rule: layerRule('dashboards', ['model', 'errors', 'util', 'store']) },
  { files: ['src/reports/**'], rule: layerRule('reports', ['model', 'errors', 'util', 'analysis'], { pure: true, deniedPaths: ['service'] }), pure: true },
  { files: ['src/reports/service/**'], rule: layerRule('reports', ['model', 'errors', 'util', 'config', 'analysis', 'store', 'notifiers', 'scheduler']) },
  { files: ['src/api/**'], rule: layerRule('api', ['model', 'errors', 'util', 'analysis', 'alerts', 'reports'], { deniedPaths: ['service'] }) },
  { files: ['src/emulators/**'], rule: layerRule('emulators', ['model', 'errors', 'util']) },
  { files: ['src/cli/**'], rule: layerRule('cli', LAYERS) },
];

/** The eslint config entries of the layer table (the shells of pure layers get their globals back). */
const layerConfigs = LAYER_TABLE.map(({ files, rule, pure }) => ({
  files,
  rules: { 'no-restricted-imports': rule, 'no-restricted-globals': pure === true ? PURE_GLOBALS : 'off' },
}));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.cache/**', 'coverage/**', 'bin/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      'no-restricted-syntax': ['error', { selector: 'ExportAllDeclaration', message: 'List exports by name; no export *.' }],
    },
  },
  ...layerConfigs,
  {
    files: ['test/**', 'bench/**', 'scripts/**', '*.config.*'],
    rules: {
      'no-console': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
