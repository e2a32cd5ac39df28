// manual-trigger's web console in Debian's Chromium, against the real API server and real plank: a ProwJob
// triggered from the form is created and answered with the BuildID plank assigned.
import { join } from 'node:path';
import { CustomObjectsApi } from '@kubernetes/client-node';
import type { Browser } from 'playwright-core';
import { applyObjects, launchChromium, serviceAccountKubeconfig, sharedKubeEnv } from '@ci-stack/kube-env';
import { rbacOf, renderChart } from './chart-objects';
import { type RunningService, startService } from './services';

const RELEASE_NS = 'ci';
const SA = 'rel-ci-stack-manual-trigger';

describe("manual-trigger's console end to end (Chromium, real kube-apiserver, plank)", () => {
  const env = sharedKubeEnv();
  let service: RunningService;
  let browser: Browser;

  beforeAll(async () => {
    const chart = await renderChart(RELEASE_NS, { prow: { namespace: 'prow' } });
    await applyObjects(env.kubeConfig, rbacOf(chart, 'manual-trigger'), false);
    const kubeconfig = await serviceAccountKubeconfig(env.kubeConfig, join(env.dir, 'kubeconfig-console'), RELEASE_NS, SA);
    service = await startService('manual-trigger', ['--config-path', env.prow.configPath, '--job-config-path', env.prow.jobConfigPath, '--kubeconfig', kubeconfig, '--build-id-timeout', '30s', '--allowed-env', 'E2E_FOCUS']);
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await service?.stop();
  });

  it('triggers a real ProwJob from the form and shows the BuildID plank assigned, with its links', async () => {
    const page = await browser.newPage();
    await page.goto(`${service.url}/ui/`);
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

    const stored = (await env.kubeConfig.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ group: 'prow.k8s.io', version: 'v1', namespace: 'prow', plural: 'prowjobs', name })) as {
      status: { build_id: string };
      spec: { pod_spec: { containers: Array<{ env: Array<{ name: string; value: string }> }> } };
    };
    expect(stored.status.build_id).toBe(buildId);
    expect(stored.spec.pod_spec.containers[0].env).toEqual(expect.arrayContaining([{ name: 'AUTHOR', value: 'console-user' }, { name: 'E2E_FOCUS', value: 'sig-console' }]));
  });
});
