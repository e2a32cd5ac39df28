import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (the `chromium` package; scripts/ensure-deps.sh --test installs it), or CHROMIUM_PATH. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  const path = env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(path)) throw new Error(`no Chromium at ${path}: run scripts/ensure-deps.sh --test (Debian's chromium package) or set CHROMIUM_PATH`);
  return path;
}

/** Headless Chromium driven by playwright-core through its executablePath: no browser is ever downloaded. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}
