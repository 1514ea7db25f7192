// Runs the CLI from source in its own process (`node --import tsx/loader test/support/cli-entry.ts …`),
// for tests that need a real process (signals, exit codes) without a build.
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
