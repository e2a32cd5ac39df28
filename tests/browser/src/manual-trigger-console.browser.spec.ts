import type { Browser, BrowserContext } from 'playwright-core';
import { launchBrowser, openPage, recordRequests, screenshot, startManualTrigger, useToken, type Started } from './harness';

const ADMIN = 'admin-token-0123456789abc';
const TOKENS = `tokens:\n  - identity: admin\n    token: ${ADMIN}\n    allow: [{}]\n`;

let browser: Browser;
let service: Started;
let context: BrowserContext;

beforeAll(async () => {
  browser = await launchBrowser();
  // Dry-run mode on the example config: every trigger builds its ProwJob and creates nothing.
  service = await startManualTrigger({ tokens: TOKENS, args: ['--dry-run', '--cimaster-console-url', 'http://cimaster.example/ui/'] });
});

afterAll(async () => {
  await browser?.close();
  await service?.close();
});

beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
});

afterEach(async () => {
  await context.close();
});

const triggers = (requests: { method(): string; url(): string }[]) => requests.filter((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/manual-trigger');

describe('manual-trigger console', () => {
  it('lists the job catalog with branches, cluster and decoration; search and filters narrow it', async () => {
    const { page, problems } = await openPage(context, `${service.url}/ui/`);
    await useToken(page, ADMIN); // the catalog needs a known token when authentication is on
    await page.locator('[data-job]').first().waitFor();
    const all = await page.locator('[data-job]').count();
    expect(all).toBeGreaterThan(3);
    await expect(page.locator('[data-job="pull-tessops-unit"]').textContent()).resolves.toMatch(/presubmit.*tess\/tessops.*never on \^gh-pages\$.*default.*yes/);
    await screenshot(page, 'manual-trigger-catalog');
    await page.getByLabel('Type').selectOption('periodic');
    await expect(page.locator('[data-job]').count()).resolves.toBe(2);
    await page.getByLabel('Type').selectOption('');
    await page.getByLabel('Name').fill('lint');
    await expect(page.locator('[data-job]').count()).resolves.toBe(1);
    await expect(page.locator('[data-job]').first().textContent()).resolves.toContain('build-cluster-2');
    expect(await page.getByRole('link', { name: /Cluster pool/ }).getAttribute('href')).toBe('http://cimaster.example/ui');
    expect(problems).toEqual([]);
  });

  it('previews a ProwJob with a dry run from the form, branch filters and allowed env shown', async () => {
    const { page } = await openPage(context, `${service.url}/ui/`);
    await useToken(page, ADMIN);
    await page.getByRole('link', { name: 'Trigger sddz-e2e-k8s-1.32 of tess/tessops' }).first().click();
    await page.getByRole('heading', { name: /Trigger sddz-e2e-k8s-1\.32/ }).waitFor();
    await expect(page.locator('#f-base_ref-hint').textContent()).resolves.toMatch(/runs on/);
    await page.getByLabel('E2E_FOCUS').fill('sig-node');
    await page.getByLabel('User').fill('alice');
    await page.getByRole('button', { name: 'Preview (dry run)' }).click();
    const preview = page.locator('[data-preview]');
    await preview.waitFor();
    const prowJob = JSON.parse((await preview.textContent()) as string) as { kind: string; spec: { job: string; pod_spec: { containers: { env: { name: string; value: string }[] }[] } } };
    expect(prowJob.kind).toBe('ProwJob');
    expect(prowJob.spec.job).toBe('sddz-e2e-k8s-1.32');
    expect(prowJob.spec.pod_spec.containers[0].env).toEqual(expect.arrayContaining([{ name: 'E2E_FOCUS', value: 'sig-node' }, { name: 'AUTHOR', value: 'alice' }]));
    await expect(page.locator('[data-answer]').getAttribute('data-answer')).resolves.toBe('dry-run');
    await screenshot(page, 'manual-trigger-preview');
  });

  it('a presubmit without a PR number gets the API message next to the PR field, and a double click sends once', async () => {
    const { page } = await openPage(context, `${service.url}/ui/#/trigger`);
    await useToken(page, ADMIN);
    const requests = recordRequests(page);
    await page.getByLabel('Type').selectOption('presubmit');
    await page.getByLabel('Job', { exact: true }).fill('pull-tessops-unit');
    await page.getByLabel('Org').fill('tess');
    await page.getByLabel('Repo').fill('tessops');
    await page.getByRole('button', { name: 'Trigger' }).dblclick();
    const error = page.locator('#f-pullrequest-error');
    await error.waitFor();
    expect(await error.textContent()).toBe("Pull request number is required for presubmit jobs. Please provide 'pullrequest' parameter.");
    expect(triggers(requests)).toHaveLength(1);
    await screenshot(page, 'manual-trigger-missing-pr');

    await page.getByLabel('Pull request number').fill('42');
    await page.getByRole('button', { name: 'Trigger' }).click();
    await page.locator('[data-answer]').waitFor();
    await expect(page.locator('[data-answer] h2').textContent()).resolves.toBe('Dry run: ProwJob built but not created');
  });

  it('a job the config does not have gets the API message next to the job field', async () => {
    const { page } = await openPage(context, `${service.url}/ui/#/trigger`);
    await useToken(page, ADMIN);
    await page.getByLabel('Job', { exact: true }).fill('no-such-job');
    await page.getByLabel('Org').fill('tess');
    await page.getByLabel('Repo').fill('tessops');
    await page.getByRole('button', { name: 'Preview (dry run)' }).click();
    await expect(page.locator('#f-prowjob-error').textContent()).resolves.toBe('Job no-such-job not found in config for tess/tessops');
  });

  it('an unknown or expired token shows the API message next to the token field', async () => {
    const { page } = await openPage(context, `${service.url}/ui/`);
    await useToken(page, 'expired-token-00000000000', false); // the catalog's call refuses it at once
    const error = page.locator('#token-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/token/i);
    await expect(page.getByRole('textbox', { name: 'API token' }).isVisible()).resolves.toBe(true);
    // A new tab starts without a token: it lives in this tab's sessionStorage only.
    expect(await page.evaluate(() => sessionStorage.getItem('ci-stack.token'))).toBeNull();
  });
});
