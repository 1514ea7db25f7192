import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's Chromium driven by playwright-core (scripts/chromium.sh installs it and scripts/test.sh
 * exports RIGHTSIZE_CHROMIUM). Root needs --no-sandbox.
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env['RIGHTSIZE_CHROMIUM'] ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`Chromium not found at ${executablePath}: run \`bash scripts/chromium.sh\` (npm test does)`);
  return chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}
