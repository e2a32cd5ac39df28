import { execFile } from 'node:child_process';
import http from 'node:http';
import { promisify } from 'node:util';
import { startFakeKubeApi, type FakeKubeApi } from '@ci-stack/kube/testing';
import { ProwJobClient } from '@ci-stack/prowjob-client';
import { listen } from '@ci-stack/service-kit';
import { contract, testApp } from './test-helpers';

afterEach(() => contract.verify());

const run = promisify(execFile);
let kube: FakeKubeApi;
let server: http.Server;
let url: string;

beforeAll(async () => {
  kube = await startFakeKubeApi();
  kube.simulatePlank({ delayMs: 50, buildId: () => '20260328-100000' });
  const prowJobs = new ProwJobClient({ kubeConfig: kube.kubeConfig(), namespace: 'prow', requestTimeoutMs: 2000 });
  const { app } = await testApp({ prowJobs, buildIdTimeoutMs: 5000 });
  server = http.createServer(app);
  await listen(server, 0, '127.0.0.1');
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/manual-trigger`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await kube.close();
});

/** Runs a shell snippet from the original design notes, with only the service URL changed. */
async function sh(script: string): Promise<string> {
  const { stdout } = await run('bash', ['-c', script.replaceAll('http://manual-trigger.tessprow/manual-trigger', url)], { timeout: 20_000 });
  return stdout;
}

describe('the original curl examples and shell wrapper, verbatim', () => {
  it('6.1 triggers a postsubmit and returns the seed response shape with a log link', async () => {
    const out = JSON.parse(
      await sh(`curl -X POST "http://manual-trigger.tessprow/manual-trigger" \\
-H "Content-Type: application/json" \\
-d '{
"org": "tess",
"repo": "tessops",
"base_ref": "master",
"prowtype": "postsubmit",
"prowjob": "sddz-e2e-k8s-1.32",
"user": "admin"
}'`),
    );
    expect(out).toMatchObject({ success: true, message: 'ProwJob created successfully', build_id: '20260328-100000' });
    expect(out.status_link).toBe(`https://prow.tessprow/prowjob?prowjob=${out.job_name}`);
    expect(out.log_link).toBe('https://prow.tessprow/log?job=sddz-e2e-k8s-1.32&id=20260328-100000');
    const created = kube.list('prowjobs', 'prow').find((p) => p.metadata.name === out.job_name)!;
    expect(created.spec.pod_spec.containers[0].env).toContainEqual({ name: 'AUTHOR', value: 'admin' });
  });

  it('6.2 triggers a presubmit with a pull request number', async () => {
    const out = JSON.parse(
      await sh(`curl -X POST "http://manual-trigger.tessprow/manual-trigger" \\
-H "Content-Type: application/json" \\
-d '{
"org": "tess",
"repo": "tessops",
"base_ref": "master",
"prowtype": "presubmit",
"prowjob": "sddz-e2e-k8s-1.32",
"pullrequest": 123
}'`),
    );
    expect(out).toMatchObject({ success: true, type: 'presubmit' });
    const created = kube.list('prowjobs', 'prow').find((p) => p.metadata.name === out.job_name)!;
    expect(created.metadata.labels['prow.k8s.io/refs.pull']).toBe('123');
  });

  it('6.3 runs a presubmit job as a postsubmit on a branch (posted without a JSON content type)', async () => {
    kube.simulatePlank({ delayMs: 50, buildId: () => '20260328-100001' });
    const out = JSON.parse(
      await sh(`curl -X POST "http://manual-trigger.tessprow/manual-trigger" \\
-d '{
"org": "tess",
"repo": "tessops",
"base_ref": "feature-branch",
"prowtype": "postsubmit",
"prowjob": "pull-tessops-unit"
}'`),
    );
    expect(out).toMatchObject({ success: true, type: 'postsubmit', build_id: '20260328-100001' });
  });

  it('6.4 the shell wrapper prints the response and the log link', async () => {
    const out = await sh(`#!/bin/bash

MANUAL_TRIGGER_URL="http://manual-trigger.tessprow/manual-trigger"

trigger_job() {
local org=$1
local repo=$2
local branch=$3
local job=$4
local type=\${5:-postsubmit}
local pr=$6
local user=\${7:-""}

local data="{\\"org\\":\\"$org\\",\\"repo\\":\\"$repo\\",\\"base_ref\\":\\"$branch\\",\\"prowtype\\":\\"$type\\",\\"prowjob\\":\\"$job\\"}"

if [ ! -z "$pr" ]; then
data=$(echo $data | sed "s/}$/,\\"pullrequest\\":$pr}/")
fi

if [ ! -z "$user" ]; then
data=$(echo $data | sed "s/}$/,\\"user\\":\\"$user\\"}/")
fi

echo "📤 触发任务: $data"
response=$(curl -s -X POST $MANUAL_TRIGGER_URL \\
-H "Content-Type: application/json" \\
-d "$data")

echo "$response" | jq .

log_link=$(echo "$response" | jq -r '.log_link')
if [ "$log_link" != "null" ] && [ ! -z "$log_link" ]; then
echo "📊 日志链接: $log_link"
fi
}

trigger_job "tess" "tessops" "master" "sddz-e2e-k8s-1.32" "postsubmit" "" "admin"
`);
    expect(out).toContain('📤 触发任务: {"org":"tess","repo":"tessops","base_ref":"master","prowtype":"postsubmit","prowjob":"sddz-e2e-k8s-1.32","user":"admin"}');
    expect(out).toContain('"success": true');
    expect(out).toMatch(/📊 日志链接: https:\/\/prow\.tessprow\/log\?job=sddz-e2e-k8s-1\.32&id=\d+/);
  });

  it('9.1 the documented errors come back as in the notes', async () => {
    const notFound = JSON.parse(await sh(`curl -s -X POST "http://manual-trigger.tessprow/manual-trigger" -H "Content-Type: application/json" -d '{"org":"tess","repo":"tessops","base_ref":"master","prowtype":"postsubmit","prowjob":"missing-job"}'`));
    expect(notFound).toMatchObject({ success: false, message: 'Job missing-job not found in config for tess/tessops' });
  });
});

describe('over real HTTP against the Kubernetes API', () => {
  it('answers 503 with a short message while the API server is down, and recovers', async () => {
    kube.setDown(true);
    const down = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ org: 'tess', repo: 'tessops', base_ref: 'master', prowtype: 'postsubmit', prowjob: 'sddz-e2e-k8s-1.32' }) });
    expect(down.status).toBe(503);
    const body = (await down.json()) as { success: boolean; code: string; message: string };
    expect(body).toMatchObject({ success: false, code: 'KUBE_UNAVAILABLE' });
    expect(body.message.length).toBeLessThan(250);
    kube.setDown(false);
    const up = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ org: 'tess', repo: 'tessops', base_ref: 'master', prowtype: 'postsubmit', prowjob: 'sddz-e2e-k8s-1.32' }) });
    expect(up.status).toBe(201);
  });

  it("answers 500 KUBE_FORBIDDEN naming the missing permission when the API server forbids creating ProwJobs", async () => {
    kube.forbid('prowjobs', ['create']);
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ org: 'tess', repo: 'tessops', base_ref: 'master', prowtype: 'postsubmit', prowjob: 'sddz-e2e-k8s-1.32' }) });
    expect(res.status).toBe(500);
    const body = (await res.json()) as { code: string; message: string };
    expect(body.code).toBe('KUBE_FORBIDDEN');
    expect(body.message).toMatch(/^Kubernetes API refused to create prowjobs\.prow\.k8s\.io in namespace \S+: grant this service's account verb "create" on resource "prowjobs" \(apiGroup prow\.k8s\.io\) in namespace \S+\. API server said: prowjobs is forbidden/);
  });
});
