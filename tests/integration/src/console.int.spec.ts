// manual-trigger's web console in Debian's Chromium, against the real API server and real plank, with tokens on:
// a ProwJob triggered from the form is answered with the BuildID plank assigned and then followed live in Recent
// jobs to pending and success; abort and rerun from Recent jobs, and a token without abort. The harness plays the
// kubelet (pods/status).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { applyObjects, launchChromium, serviceAccountKubeconfig, sharedKubeEnv, waitUntil } from '@ci-stack/kube-env';
import type { ProwJob } from '@ci-stack/prowjob-api';
import { rbacOf, renderChart } from './chart-objects';
import { startFakeKubelet } from './fake-kubelet';
import { type RunningService, startService } from './services';

const RELEASE_NS = 'ci';
const SA = 'rel-ci-stack-manual-trigger';
const PROW = { group: 'prow.k8s.io', version: 'v1', namespace: 'prow', plural: 'prowjobs' };
const ADMIN = 'console-admin-token-0123456789';
const NO_ABORT = 'console-no-abort-token-0123456789';
const TOKENS = `tokens:
  - {identity: console-admin, token: ${ADMIN}, allow: [{org: tess, repo: tessops, jobs: ["*"], verbs: [trigger, read, abort, rerun]}]}
  - {identity: console-viewer, token: ${NO_ABORT}, allow: [{org: tess, repo: tessops, jobs: ["*"], verbs: [trigger, read, rerun]}]}
`;
const POSTSUBMIT = { org: 'tess', repo: 'tessops', base_ref: 'master', prowtype: 'postsubmit', prowjob: 'sddz-e2e-k8s-1.32' };
const PLANK = { timeout: 180_000 }; // plank's queue is shared with every ProwJob the other suites left behind

describe("manual-trigger's console end to end (Chromium, real kube-apiserver, plank)", () => {
  const env = sharedKubeEnv();
  const objects = env.kubeConfig.makeApiClient(CustomObjectsApi);
  const core = env.kubeConfig.makeApiClient(CoreV1Api);
  let service: RunningService;
  let browser: Browser;
  let context: BrowserContext;
  let dir: string;

  const prowJob = async (name: string): Promise<ProwJob> => (await objects.getNamespacedCustomObject({ ...PROW, name })) as ProwJob;
  const podGone = async (name: string): Promise<boolean> => core.readNamespacedPod({ namespace: 'test-pods', name }).then(() => false, (e: { code?: number }) => e.code === 404);
  const api = async (path: string, body: unknown = {}): Promise<{ status: number; body: Record<string, string> }> => {
    const res = await fetch(`${service.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, string> };
  };
  const row = (page: Page, name: string) => page.locator(`tr[data-prowjob="${name}"]`);
  const inState = async (page: Page, name: string, state: string, timeout = PLANK.timeout): Promise<void> => row(page, name).and(page.locator(`[data-state="${state}"]`)).waitFor({ timeout });
  const listReads = (requests: Request[]): Request[] => requests.filter((r) => r.method() === 'GET' && new URL(r.url()).pathname === '/prowjobs');
  const posts = (requests: Request[], suffix: string): Request[] => requests.filter((r) => r.method() === 'POST' && new URL(r.url()).pathname.endsWith(suffix));

  /** Opens the console with a token; a marker on the window tells whether the page was ever loaded again. */
  async function open(hash: string, token: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${service.url}/ui/${hash}`);
    await page.getByRole('textbox', { name: 'API token' }).fill(token);
    await page.getByRole('button', { name: 'Use token' }).click();
    await page.getByText('Token set for this tab').waitFor();
    await page.evaluate(() => Object.assign(globalThis, { sameDocument: true }));
    return page;
  }
  const notReloaded = (page: Page): Promise<unknown> => page.evaluate(() => (globalThis as { sameDocument?: boolean }).sameDocument);

  beforeAll(async () => {
    const chart = await renderChart(RELEASE_NS, { prow: { namespace: 'prow' } });
    await applyObjects(env.kubeConfig, rbacOf(chart, 'manual-trigger'), false);
    const kubeconfig = await serviceAccountKubeconfig(env.kubeConfig, join(env.dir, 'kubeconfig-console'), RELEASE_NS, SA);
    dir = await mkdtemp(join(tmpdir(), 'console-int-'));
    await writeFile(join(dir, 'tokens.yaml'), TOKENS);
    service = await startService('manual-trigger', [
      '--config-path', env.prow.configPath, '--job-config-path', env.prow.jobConfigPath, '--kubeconfig', kubeconfig,
      '--build-id-timeout', '30s', '--allowed-env', 'E2E_FOCUS', '--auth-config', join(dir, 'tokens.yaml'),
    ]);
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await service?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  });
  afterEach(async () => {
    await context.close();
  });

  it('triggers a real ProwJob from the form, answers with the BuildID plank assigned, and follows it live to pending and success', async () => {
    const page = await open('', ADMIN);
    await page.getByRole('link', { name: 'Trigger sddz-e2e-k8s-1.32 of tess/tessops' }).first().click();
    await page.getByLabel('User').fill('console-user');
    await page.getByLabel('E2E_FOCUS').fill('sig-console');
    await page.getByRole('button', { name: 'Trigger' }).click();
    const answer = page.locator('[data-answer="created"]');
    await answer.waitFor({ timeout: 60_000 });
    await expect(answer.locator('h2').textContent()).resolves.toBe('ProwJob created successfully');
    const name = (await answer.locator('dd.mono').textContent()) as string;
    const buildId = (await answer.locator('dt:has-text("Build") + dd').textContent()) as string;
    expect(buildId).toMatch(/^\d+$/);
    expect(await answer.getByRole('link', { name: /prowjob\?prowjob=/ }).getAttribute('href')).toBe(`https://prow.example.com/prowjob?prowjob=${name}`);
    const stored = await prowJob(name);
    expect(stored.status.build_id).toBe(buildId);
    expect(stored.spec.pod_spec?.containers?.[0].env).toEqual(expect.arrayContaining([{ name: 'AUTHOR', value: 'console-user' }, { name: 'E2E_FOCUS', value: 'sig-console' }]));

    // Recent jobs, below the answer: the list is read once after the trigger; every change after that is streamed.
    await inState(page, name, 'pending');
    const requests: Request[] = [];
    page.on('request', (r) => void requests.push(r));
    expect(await row(page, name).getAttribute('data-live')).toBe('true');
    const podName = (await prowJob(name)).status.pod_name;
    const kubelet = startFakeKubelet(env.kubeConfig, 'test-pods', (pod) => (pod.metadata?.name === podName ? 'Succeeded' : undefined));
    await inState(page, name, 'success').finally(() => kubelet.stop());
    await expect(row(page, name).textContent()).resolves.toContain('Job succeeded.');
    expect(listReads(requests)).toEqual([]);
    expect(await notReloaded(page)).toBe(true);
    expect((await prowJob(name)).status.state).toBe('success');
  });

  it('aborts a pending job from Recent jobs (plank deletes its pod), then reruns it: the new ProwJob shows on top', async () => {
    const created = await api('/manual-trigger', POSTSUBMIT);
    expect(created.status).toBe(201);
    const name = created.body.job_name;
    const page = await open('#/recent', ADMIN);
    await inState(page, name, 'pending');
    const podName = (await prowJob(name)).status.pod_name as string;
    expect(await podGone(podName)).toBe(false);
    const requests: Request[] = [];
    page.on('request', (r) => void requests.push(r));

    await page.getByRole('button', { name: `Abort ${name}` }).click();
    await page.getByRole('dialog').getByLabel('Reason (recorded on the ProwJob)').fill('console test');
    await page.getByRole('dialog').getByRole('button', { name: 'Abort' }).click();
    await inState(page, name, 'aborted', 30_000);
    await expect(row(page, name).textContent()).resolves.toContain(`console-admin successfully aborted ${name}. Reason: console test`);
    await waitUntil('plank to delete the aborted pod', () => podGone(podName), { timeoutMs: PLANK.timeout });
    expect((await prowJob(name)).metadata.annotations).toMatchObject({ 'manual-trigger.ci-stack.io/aborted-by': 'console-admin', 'manual-trigger.ci-stack.io/abort-reason': 'console test' });

    await page.getByRole('button', { name: `Rerun ${name}` }).click();
    await expect(page.getByRole('dialog').getByRole('radio', { name: /original/ }).isChecked()).resolves.toBe(true);
    await page.getByRole('dialog').getByRole('button', { name: 'Rerun' }).click();
    const top = page.locator('tr[data-prowjob]').first();
    await top.locator(`[data-rerun-of="${name}"]`).waitFor({ timeout: 60_000 });
    const rerun = (await top.getAttribute('data-prowjob')) as string;
    await top.getByRole('cell', { name: 'console-admin', exact: true }).waitFor(); // the stream's first event: the full summary
    const [old, copy] = [await prowJob(name), await prowJob(rerun)];
    expect(copy.spec).toEqual(old.spec);
    expect(copy.metadata.annotations?.['manual-trigger.ci-stack.io/rerun-of']).toBe(name);
    expect(posts(requests, '/rerun').map((r) => new URL(r.url()).search)).toEqual(['?mode=original']);
    expect(listReads(requests)).toEqual([]);
    expect(await notReloaded(page)).toBe(true);
    expect((await api(`/prowjobs/${rerun}/abort`)).status).toBe(200);
  });

  it("a token whose grant lacks abort gets the API's 403 next to the job, sent once", async () => {
    const created = await api('/manual-trigger', POSTSUBMIT);
    const name = created.body.job_name;
    const page = await open('#/recent', NO_ABORT);
    await inState(page, name, 'pending');
    const requests: Request[] = [];
    page.on('request', (r) => void requests.push(r));
    await page.getByRole('button', { name: `Abort ${name}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Abort' }).dblclick();
    const refused = row(page, name).locator('[data-action-result="refused"]');
    await refused.waitFor();
    expect(await refused.textContent()).toBe('console-viewer may not abort postsubmit job sddz-e2e-k8s-1.32 in tess/tessops');
    expect(posts(requests, '/abort')).toHaveLength(1);
    expect((await prowJob(name)).status.state).toBe('pending');
    expect((await api(`/prowjobs/${name}/abort`)).status).toBe(200);
  });
});
