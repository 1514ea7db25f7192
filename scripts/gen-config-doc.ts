// Regenerates docs/configuration.md from the config schema.
import { writeFileSync } from 'node:fs';
import { renderConfigDoc } from '../src/config/describe.js';

writeFileSync(new URL('../docs/configuration.md', import.meta.url), renderConfigDoc());
console.log('wrote docs/configuration.md');
