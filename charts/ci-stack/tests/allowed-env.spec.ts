import { render } from './render';

describe('manualTrigger.allowedEnv', () => {
  it.each(['JOB_SPEC', 'BUILD_ID', 'KUBECONFIG', 'AUTHOR'])('refuses %s, a variable Prow or manual-trigger sets, with the reason', async (name) => {
    await expect(render({ manualTrigger: { allowedEnv: ['E2E_FOCUS', name] } })).rejects.toThrow(`manualTrigger.allowedEnv: ${name} is set by Prow or manual-trigger in every job; callers may not override it`);
  });

  it('passes the other names on', async () => {
    const objects = await render({ manualTrigger: { allowedEnv: ['E2E_FOCUS', 'KUBE_VERSION'] } });
    expect(JSON.stringify(objects)).toContain('"--allowed-env=E2E_FOCUS,KUBE_VERSION"');
  });
});
