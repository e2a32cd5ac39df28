// Recent jobs in manual-trigger's console, on the service's ProwJob routes, with the in-repo fake API server playing
// kube-apiserver and plank (the integration tier does the same against the real ones).
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { startFakeKubeApi, type FakeKubeApi } from '@ci-stack/kube/testing';
import { launchBrowser, openPage, recordRequests, screenshot, startManualTrigger, useToken, type Started } from './harness';

const ADMIN = 'admin-token-0123456789abc';
const NO_ABORT = 'no-abort-token-0123456789';
const TOKENS = `tokens:
  - {identity: alice, token: ${ADMIN}, allow: [{verbs: [trigger, read, abort, rerun]}]}
  - {identity: bob, token: ${NO_ABORT}, allow: [{verbs: [trigger, read, rerun]}]}
`;
const POSTSUBMIT = { org: 'tess', repo: 'tessops', base_ref: 'master', prowtype: 'postsubmit', prowjob: 'sddz-e2e-k8s-1.32' };

let browser: Browser;
let kube: FakeKubeApi;
let service: Started;
let context: BrowserContext;

beforeAll(async () => {
  browser = await launchBrowser();
  kube = await startFakeKubeApi();
  kube.simulatePlank({ delayMs: 50 });
  service = await startManualTrigger({ tokens: TOKENS, args: ['--kubeconfig', kube.kubeconfigPath, '--deck-url', 'https://prow.example.com'] });
});

afterAll(async () => {
  await browser?.close();
  await service?.close();
  await kube?.close();
});

beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
});

afterEach(async () => {
  await context.close();
});

/** A ProwJob triggered through the API as alice, as another tab or a script would. */
async function trigger(body: Record<string, unknown> = POSTSUBMIT): Promise<string> {
  const res = await fetch(`${service.url}/manual-trigger`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = (await res.json()) as { job_name: string; build_id: string | null };
  expect([res.status, answer.build_id]).toEqual([201, expect.stringMatching(/^\d+$/)]); // plank (simulated) made it pending
  return answer.job_name;
}

/** What plank does when a pod ends. */
function finish(name: string, state: 'success' | 'failure'): void {
  kube.update('prowjobs', 'prow', name, { status: { state, completionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), description: state === 'success' ? 'Job succeeded.' : 'Job failed.' } });
}

const row = (page: Page, name: string) => page.locator(`tr[data-prowjob="${name}"]`);
const path = (r: Request): string => new URL(r.url()).pathname;
const posts = (requests: Request[], suffix: string): Request[] => requests.filter((r) => r.method() === 'POST' && path(r).endsWith(suffix));
const listReads = (requests: Request[]): Request[] => requests.filter((r) => r.method() === 'GET' && path(r) === '/prowjobs');

async function openRecent(token: string): Promise<{ page: Page; problems: string[]; requests: Request[] }> {
  const { page, problems } = await openPage(context, `${service.url}/ui/#/recent`);
  await useToken(page, token);
  await page.locator('tr[data-prowjob]').first().waitFor();
  return { page, problems, requests: recordRequests(page) }; // from the list on: what the page sends after that
}

describe('Recent jobs', () => {
  it('follows running jobs live to their end without reading the list again', async () => {
    const name = await trigger();
    const { page, problems, requests } = await openRecent(ADMIN);
    await row(page, name).and(page.locator('[data-state="pending"]')).waitFor();
    expect(await row(page, name).getAttribute('data-live')).toBe('true');
    finish(name, 'success');
    await row(page, name).and(page.locator('[data-state="success"]')).waitFor();
    await expect(row(page, name).textContent()).resolves.toContain('Job succeeded.');
    expect(listReads(requests)).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('reruns from the original spec by default or from the config (latest); a double click sends one call, and the new job shows on top, live', async () => {
    const old = await trigger();
    const { page, problems, requests } = await openRecent(ADMIN);
    await page.getByRole('button', { name: `Rerun ${old}` }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog.getByRole('radio', { name: /original/ }).isChecked()).resolves.toBe(true);
    await dialog.getByRole('radio', { name: /latest/ }).check();
    await dialog.getByRole('button', { name: 'Rerun' }).dblclick();
    const rerun = page.locator('tr[data-prowjob]').first();
    await rerun.locator(`[data-rerun-of="${old}"]`).waitFor();
    const sent = posts(requests, '/rerun');
    expect(sent).toHaveLength(1);
    expect(new URL(sent[0].url()).search).toBe('?mode=latest');
    expect(sent[0].headers()['idempotency-key']).toMatch(/^[\x21-\x7e]{1,255}$/);
    // Its event stream brings the rest of its summary: who triggered it, when it started.
    await rerun.getByRole('cell', { name: 'alice', exact: true }).waitFor();
    await expect(row(page, old).locator('[data-action-result="ok"]').textContent()).resolves.toMatch(/^ProwJob created successfully as a rerun of /);
    expect(listReads(requests)).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('aborts a pending job after a confirmation, with a reason: the row turns aborted without reading the list again', async () => {
    const name = await trigger();
    const { page, problems, requests } = await openRecent(ADMIN);
    await row(page, name).and(page.locator('[data-state="pending"]')).waitFor();
    await page.getByRole('button', { name: `Abort ${name}` }).click();
    await page.getByRole('dialog').getByLabel('Reason (recorded on the ProwJob)').fill('wrong branch');
    await screenshot(page, 'manual-trigger-abort');
    await page.getByRole('dialog').getByRole('button', { name: 'Abort' }).dblclick();
    await row(page, name).and(page.locator('[data-state="aborted"]')).waitFor();
    await expect(row(page, name).textContent()).resolves.toContain(`alice successfully aborted ${name}. Reason: wrong branch`);
    expect(posts(requests, '/abort')).toHaveLength(1);
    expect(listReads(requests)).toEqual([]);
    await expect(page.getByRole('button', { name: `Abort ${name}` }).count()).resolves.toBe(0);
    expect(problems).toEqual([]);
  });

  it("a token without abort gets the service's 403 next to the job, sent once", async () => {
    const name = await trigger();
    const { page, requests } = await openRecent(NO_ABORT);
    await page.getByRole('button', { name: `Abort ${name}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Abort' }).dblclick();
    const refused = row(page, name).locator('[data-action-result="refused"]');
    await refused.waitFor();
    expect(await refused.textContent()).toBe('bob may not abort postsubmit job sddz-e2e-k8s-1.32 in tess/tessops');
    expect(posts(requests, '/abort')).toHaveLength(1);
    expect(await row(page, name).getAttribute('data-state')).toBe('pending');
    finish(name, 'failure'); // leave nothing running for the next test
  });

  it('follows the four newest running jobs; a job that ended unseen answers 409, and its row is read again', async () => {
    const names: string[] = [];
    for (let i = 0; i < 5; i++) names.push(await trigger());
    const { page, requests } = await openRecent(ADMIN);
    await expect(page.locator('caption').textContent()).resolves.toMatch(/The 4 newest running jobs change here live/);
    // The list orders by start time (names within one second): the fifth of the five is not followed.
    const live = await page.locator('tr[data-live]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-prowjob')));
    expect(live).toHaveLength(4);
    const unfollowed = names.filter((n) => !live.includes(n));
    expect(unfollowed).toHaveLength(1);
    const oldest = unfollowed[0];
    finish(oldest, 'success'); // not followed: the row still says pending
    await page.getByRole('button', { name: `Abort ${oldest}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Abort' }).click();
    await expect(row(page, oldest).locator('[data-action-result="refused"]').textContent()).resolves.toBe(`ProwJob ${oldest} has ended (state success): only triggered or pending ProwJobs can be aborted`);
    await row(page, oldest).and(page.locator('[data-state="success"]')).waitFor();
    expect(requests.filter((r) => r.method() === 'GET' && path(r) === `/prowjobs/${oldest}`)).toHaveLength(1);
    await screenshot(page, 'manual-trigger-recent');
    for (const n of names.slice(1)) finish(n, 'success');
  });
});
