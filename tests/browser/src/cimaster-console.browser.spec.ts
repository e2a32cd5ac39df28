import type { Browser, BrowserContext, Page } from 'playwright-core';
import { emptyPool } from '@ci-stack/pool';
import { call, launchBrowser, read, openPage, recordRequests, screenshot, startCimaster, useToken, type Started } from './harness';

const ADMIN = 'admin-token-0123456789';
const TOKENS = `tokens:\n  - {identity: ops, role: admin, token: ${ADMIN}}\n  - {identity: pods, role: e2e, token: e2e-token-0123456789ab}\n`;

let browser: Browser;
let cimaster: Started;
let context: BrowserContext;

beforeAll(async () => {
  browser = await launchBrowser();
  cimaster = await startCimaster({ tokens: TOKENS, args: ['--manual-trigger-console-url', 'http://manual-trigger.example/ui/'] });
  const clusters: [string, string][] = [
    ['e2e-us-01', 'us-west'],
    ['e2e-us-02', 'us-west'],
    ['e2e-us-03', 'us-west'],
    ['e2e-eu-01', 'eu-central'],
    ['e2e-eu-02', 'eu-central'],
  ];
  for (const [name, region] of clusters) expect((await call(cimaster.url, `/addcluster?cluster=${name}&region=${region}&name=ops`, ADMIN)).status).toBe(200);
  await call(cimaster.url, '/getvacant?build=8812&job=e2e-k8s-1.32');
  await call(cimaster.url, '/getvacant?build=8813&job=e2e-upgrade');
  await call(cimaster.url, '/disablecluster?cluster=e2e-eu-02&reason=node%20pool%20upgrade', ADMIN);
});

afterAll(async () => {
  await browser?.close();
  await cimaster?.close();
});

beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
});

afterEach(async () => {
  await context.close();
});

const card = (page: Page, name: string) => page.locator(`[data-cluster="${name}"]`);

describe('cimaster console', () => {
  it('opens the board from / in a browser: clusters by region, states as words, holders, countdowns, the other console linked', async () => {
    const { page, problems } = await openPage(context, `${cimaster.url}/`);
    expect(page.url()).toBe(`${cimaster.url}/ui/`);
    await page.locator('[data-live="live"]').waitFor();
    expect(await page.locator('[data-cluster]').count()).toBe(5);
    await expect(page.getByRole('region', { name: 'Region us-west' }).locator('[data-cluster]').count()).resolves.toBe(3);
    const testing = card(page, 'e2e-us-01');
    await expect(testing.locator('.state').textContent()).resolves.toBe('Testing');
    await expect(testing.textContent()).resolves.toMatch(/build 8812 · e2e-k8s-1\.32.*Held for.*Lease endsin 3h 59m/s);
    await expect(card(page, 'e2e-eu-02').textContent()).resolves.toContain('node pool upgrade');
    expect(await page.getByRole('link', { name: /Triggers/ }).getAttribute('href')).toBe('http://manual-trigger.example/ui');
    await screenshot(page, 'cimaster-board');
    expect(problems).toEqual([]);
  });

  it('filters and searches the board', async () => {
    const { page } = await openPage(context, `${cimaster.url}/ui/`);
    await page.locator('[data-live="live"]').waitFor();
    await page.getByLabel('Search').fill('8813');
    await expect(page.locator('[data-cluster]').count()).resolves.toBe(1);
    await page.getByLabel('Search').fill('');
    await page.getByLabel('State').selectOption('finished');
    await expect(page.locator('[data-cluster]').count()).resolves.toBe(2);
  });

  it('shows a getvacant made through the API without a reload and without polling', async () => {
    const { page } = await openPage(context, `${cimaster.url}/ui/`);
    await page.locator('[data-live="live"]').waitFor();
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
    const requests = recordRequests(page);
    const got = await call(cimaster.url, '/getvacant?build=9001&job=e2e-live');
    expect(got.status).toBe(200);
    await card(page, got.text).locator('[data-state="testing"]').waitFor();
    await expect(card(page, got.text).textContent()).resolves.toContain('build 9001');
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    expect(requests.map((r) => r.url())).toEqual([]); // the open event stream delivered it: no request at all
    await call(cimaster.url, `/finishtest?cluster=${got.text}&build=9001`);
    await card(page, got.text).locator('[data-state="finished"]').waitFor();
  });

  it('adds a cluster with an admin token; a bad name gets the API message next to the field, sent once', async () => {
    const { page } = await openPage(context, `${cimaster.url}/ui/#/admin`);
    await useToken(page, ADMIN);
    const add = page.getByRole('form', { name: 'Add a cluster' });
    const posts = recordRequests(page);
    await add.getByLabel('Cluster name').fill('Bad_Name');
    await add.getByLabel('Region').fill('us-west');
    await add.getByRole('button', { name: 'Add cluster' }).dblclick();
    const error = add.locator('#addcluster-cluster-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/Bad_Name/);
    expect(posts.filter((r) => r.method() === 'POST' && r.url().endsWith('/addcluster'))).toHaveLength(1);
    await screenshot(page, 'cimaster-admin-bad-name');

    await add.getByLabel('Cluster name').fill('e2e-us-09');
    await add.getByRole('button', { name: 'Add cluster' }).click();
    await add.getByText('cluster e2e-us-09 is added successfully').waitFor();
    await page.getByRole('link', { name: 'Pool' }).click();
    await card(page, 'e2e-us-09').waitFor();
  });

  it('an unknown or expired token shows the API message next to the token field', async () => {
    const { page } = await openPage(context, `${cimaster.url}/ui/#/admin`);
    await useToken(page, 'expired-token-0000000000');
    const add = page.getByRole('form', { name: 'Add a cluster' });
    await add.getByLabel('Cluster name').fill('e2e-never');
    await add.getByLabel('Region').fill('us-west');
    await add.getByRole('button', { name: 'Add cluster' }).click();
    const error = page.locator('#token-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/token/i);
    expect(await page.getByRole('textbox', { name: 'API token' }).isVisible()).toBe(true); // forgotten: enter another
    expect((await read(cimaster.url, '/clusters'))).not.toContain('e2e-never');
  });

  it('holds and releases a cluster from the board, each after a confirmation', async () => {
    const got = await call(cimaster.url, '/getvacant?build=7001&job=e2e-debug');
    const { page } = await openPage(context, `${cimaster.url}/ui/`);
    await useToken(page, ADMIN);
    const c = card(page, got.text);
    await c.getByRole('button', { name: `Hold ${got.text}` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(/Hours/).fill('2');
    await screenshot(page, 'cimaster-confirm-hold');
    await dialog.getByRole('button', { name: 'Hold' }).click();
    await c.locator('[data-state="held"]').waitFor();
    await expect(c.textContent()).resolves.toMatch(/Hold endsin 1h 59m/);
    await c.getByRole('button', { name: `Release ${got.text}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Release' }).click();
    await c.locator('[data-state="finished"]').waitFor();
  });

  it('Escape cancels a destructive action: nothing is sent', async () => {
    const { page } = await openPage(context, `${cimaster.url}/ui/`);
    await useToken(page, ADMIN);
    const posts = recordRequests(page);
    await card(page, 'e2e-us-03').getByRole('button', { name: 'Delete e2e-us-03' }).click();
    await page.getByRole('dialog').waitFor();
    await page.keyboard.press('Escape');
    await expect(page.getByRole('dialog').count()).resolves.toBe(0);
    expect(posts.filter((r) => r.method() === 'POST')).toEqual([]);
    expect((await read(cimaster.url, '/clusters'))).toContain('e2e-us-03');
  });

  it('shows the queue: who waits, for what, in which position, for how long', async () => {
    const { page } = await openPage(context, `${cimaster.url}/ui/#/queue`);
    await page.locator('[data-live="live"]').waitFor();
    // Every cluster of eu-central busy or disabled: a waiter queues.
    const busy = await call(cimaster.url, '/getvacant?build=5000&job=e2e-eu&region=eu-central');
    const waiting = fetch(`${cimaster.url}/getvacant?build=5001&job=e2e-eu-wait&region=eu-central&wait=30`, { method: 'POST' });
    await page.locator('[data-ticket="5001"]').waitFor();
    await expect(page.locator('[data-ticket="5001"]').textContent()).resolves.toMatch(/^1.*5001.*e2e-eu-wait.*region eu-central/);
    await screenshot(page, 'cimaster-queue');
    await call(cimaster.url, `/finishtest?cluster=${busy.text}&build=5000`);
    expect(await (await waiting).text()).toBe(busy.text);
    await page.getByText('Nobody is waiting').waitFor();
  });

  it('shows a cluster page with its labels, history and a day of use', async () => {
    await call(cimaster.url, '/finishtest?cluster=e2e-us-02&build=8813'); // its first stay in testing becomes history
    const { page } = await openPage(context, `${cimaster.url}/ui/#/clusters/e2e-us-02`);
    await page.getByRole('heading', { name: /e2e-us-02/ }).waitFor();
    await page.getByRole('img', { name: /Use over the last 24 hours/ }).waitFor();
    await page.locator('table tbody tr').first().waitFor();
    await screenshot(page, 'cimaster-cluster');
  });

  it('shows the reason and the job links of a quarantined or provisioning cluster', async () => {
    // A pool as the lifecycle leaves it: one cluster quarantined after failed cleanups, one being created.
    const at = new Date().toISOString();
    const pool = emptyPool();
    const base = { region: 'us-west', since: at, addedAt: at, freedAt: at, labels: new Map([['gpu', 'a100']]), history: [] };
    pool.clusters.set('gpu-01', { ...base, name: 'gpu-01', state: 'quarantined', problem: { reason: 'cleanup failed 3 times: namespaces left behind', prowJob: 'cleanup-7f3a', logLink: 'https://prow.example.com/log?id=7f3a', at } });
    pool.clusters.set('gpu-02', { ...base, name: 'gpu-02', state: 'provisioning', job: { kind: 'create', attempt: 1, key: 'k-91bc', requestedAt: at, name: 'create-91bc', statusLink: 'https://prow.example.com/prowjob?prowjob=create-91bc' } });
    const lifecycle = await startCimaster({ pool });
    try {
      const { page } = await openPage(context, `${lifecycle.url}/ui/`);
      const quarantined = card(page, 'gpu-01');
      await quarantined.waitFor();
      await expect(quarantined.locator('.state').textContent()).resolves.toBe('Quarantined');
      await expect(quarantined.locator('[data-reason]').textContent()).resolves.toContain('cleanup failed 3 times: namespaces left behind');
      expect(await quarantined.getByRole('link', { name: 'log' }).getAttribute('href')).toBe('https://prow.example.com/log?id=7f3a');
      const provisioning = card(page, 'gpu-02');
      await expect(provisioning.locator('.state').textContent()).resolves.toBe('Provisioning');
      expect(await provisioning.getByRole('link', { name: 'status' }).getAttribute('href')).toContain('create-91bc');
      await page.getByLabel('Group by').selectOption('label:gpu');
      await page.getByRole('region', { name: 'gpu a100' }).waitFor();
      await screenshot(page, 'cimaster-quarantined');
    } finally {
      await lifecycle.close();
    }
  });

  it('works on a narrow screen and in dark mode, with a visible keyboard focus', async () => {
    const narrow = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: 'dark', deviceScaleFactor: 1 });
    try {
      const { page } = await openPage(narrow, `${cimaster.url}/ui/`);
      await page.locator('[data-live="live"]').waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(13, 17, 23)');
      await page.keyboard.press('Tab'); // the skip link
      await page.keyboard.press('Tab');
      const outline = await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle);
      expect(outline).toBe('solid');
      await screenshot(page, 'cimaster-narrow-dark');
    } finally {
      await narrow.close();
    }
  });
});
