import { mkdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { launchChromium, startNodeService, type NodeService } from '@ci-stack/kube-env';
import { encodePool, type PoolState } from '@ci-stack/pool';

export const ROOT = resolve(__dirname, '..', '..', '..');
const SCREENSHOTS = join(ROOT, 'docs', 'img');

/** Debian's Chromium through playwright-core (see kube-env's launchChromium); never a download. */
export function launchBrowser(): Promise<Browser> {
  return launchChromium();
}

function bundle(app: 'cimaster' | 'manual-trigger'): string {
  const dist = process.env.BROWSER_TEST_DIST;
  if (!dist) throw new Error('BROWSER_TEST_DIST is not set: run through tests/browser/jest.config.cjs (its global setup builds the services)');
  return join(dist, app, 'main.js');
}

export interface Started extends NodeService {
  dir: string;
  close(): Promise<void>;
}

/**
 * cimaster from its bundle with its console, on a file store in a temp dir; `tokens` turns authentication on, `pool`
 * is the stored pool it starts from (states only the lifecycle reaches, without running it).
 */
export async function startCimaster(opts: { tokens?: string; args?: string[]; pool?: PoolState } = {}): Promise<Started> {
  const dir = await mkdtemp(join(tmpdir(), 'browser-cimaster-'));
  if (opts.pool) await writeFile(join(dir, 'pool.json'), encodePool(opts.pool));
  const args = ['--store', 'file', '--state-file', join(dir, 'pool.json'), '--sweep-interval', '1s', ...(opts.args ?? [])];
  if (opts.tokens) {
    await writeFile(join(dir, 'auth.yaml'), opts.tokens);
    args.push('--auth-config', join(dir, 'auth.yaml'));
  }
  const service = await startNodeService(bundle('cimaster'), args, { name: 'cimaster', env: { KUBECONFIG: '' } });
  return { ...service, dir, close: async () => (await service.stop(), await rm(dir, { recursive: true, force: true })) };
}

/** manual-trigger from its bundle with its console, in dry-run mode on the example Prow config. */
export async function startManualTrigger(opts: { tokens?: string; args?: string[] } = {}): Promise<Started> {
  const dir = await mkdtemp(join(tmpdir(), 'browser-mt-'));
  const args = ['--config-path', join(ROOT, 'examples/prow/config.yaml'), '--job-config-path', join(ROOT, 'examples/prow/jobs'), '--allowed-env', 'E2E_FOCUS,E2E_SKIP', ...(opts.args ?? [])];
  if (opts.tokens) {
    await writeFile(join(dir, 'auth.yaml'), opts.tokens);
    args.push('--auth-config', join(dir, 'auth.yaml'));
  }
  const service = await startNodeService(bundle('manual-trigger'), args, { name: 'manual-trigger', env: { KUBECONFIG: '' } });
  return { ...service, dir, close: async () => (await service.stop(), await rm(dir, { recursive: true, force: true })) };
}

/** A call of a service's API, as an e2e pod or an admin makes it. */
export async function call(base: string, path: string, token?: string): Promise<{ status: number; text: string }> {
  const res = await fetch(base + path, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, text: await res.text() };
}

/** A read of a service's JSON view. */
export async function read(base: string, path: string): Promise<string> {
  return (await fetch(base + path)).text();
}

/** Every request a page sends, so a test can say what was (not) sent. */
export function recordRequests(page: Page): Request[] {
  const seen: Request[] = [];
  page.on('request', (r) => void seen.push(r));
  return seen;
}

/** A page that fails the test on any script error or CSP violation it reports. */
export async function openPage(context: BrowserContext, url: string): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of (401|403|404|409)/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  await page.goto(url);
  return { page, problems };
}

/** Enters an API token in the console's token field; `accepted` waits until the console keeps it. */
export async function useToken(page: Page, token: string, accepted = true): Promise<void> {
  await page.getByRole('textbox', { name: 'API token' }).fill(token);
  await page.getByRole('button', { name: 'Use token' }).click();
  if (accepted) await page.getByText('Token set for this tab').waitFor();
}

/** Writes a screenshot for the README into docs/img/. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });
}
