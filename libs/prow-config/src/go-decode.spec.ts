import { GoTypes } from '@ci-stack/prowjob-api';
import { decodeGo, type DecodeProblem } from './go-decode';

const podSpec = GoTypes.struct('core/v1.PodSpec');
const preset = GoTypes.struct('pkg/config.Preset');

function decode(value: unknown, type = podSpec): { value: unknown; problems: DecodeProblem[] } {
  const problems: DecodeProblem[] = [];
  return { value: decodeGo(value, type, problems), problems };
}

describe("decodeGo: YAML values into Prow's Go types, as encoding/json reads them", () => {
  it('matches keys exactly first, then case-insensitively, and drops unknown keys', () => {
    const { value, problems } = decode({ Containers: [{ IMAGE: 'a', Env: [{ NAME: 'X', vAlUe: 'y' }], madeUp: 1 }], unknownField: true });
    expect(problems).toEqual([]);
    expect(value).toEqual({ containers: [{ image: 'a', env: [{ name: 'X', value: 'y' }] }] });
  });

  it('lets the last key in sorted order win when two keys name one field, as Go sees the keys sorted', () => {
    expect(decode({ containers: [{ name: 'lower', NAME: 'UPPER' }] }).value).toEqual({ containers: [{ name: 'lower' }] });
    expect(decode({ containers: [{ NAME: 'UPPER', Name: 'Title' }] }).value).toEqual({ containers: [{ name: 'Title' }] });
  });

  it('turns YAML numbers and booleans into strings where sigs.k8s.io/yaml sees a string field, as Go prints them', () => {
    const { value, problems } = decode({ env: [{ name: 'A', value: 1 }, { name: 'B', value: 1.5 }, { name: 'C', value: true }] }, preset);
    expect(problems).toEqual([]);
    expect(value).toEqual({ env: [{ name: 'A', value: '1' }, { name: 'B', value: '1.5' }, { name: 'C', value: 'true' }] });
  });

  it('refuses a number where the string field is out of sigs.k8s.io/yaml sight (under a promoted field)', () => {
    const problems: DecodeProblem[] = [];
    decodeGo({ periodics: [{ name: 'p', spec: { containers: [{ env: [{ name: 'A', value: 1 }] }] } }] }, GoTypes.jobConfig, problems);
    expect(problems).toEqual([{ path: ['periodics', 0, 'spec', 'containers', 0, 'env', 0, 'value'], message: 'must be a string, got number' }]);
  });

  it('writes quantities and durations in the form Go writes them back', () => {
    const decoration = GoTypes.struct('prowjobs/v1.DecorationConfig');
    expect(decode({ timeout: '90s', grace_period: 7_200_000_000_000, pod_pending_timeout: '14m', default_memory_request: '1024Mi' }, decoration).value).toEqual({
      timeout: '1m30s',
      grace_period: '2h0m0s',
      pod_pending_timeout: '14m0s',
      default_memory_request: '1Gi',
    });
    expect(decode({ pod_pending_timeout: 90 }, decoration).problems).toEqual([{ path: ['pod_pending_timeout'], message: 'must be a duration in Go\'s form (like 90s or 1h30m), got number' }]);
  });

  it('reports every value of the wrong type with its path, and decodes the rest', () => {
    const { value, problems } = decode({ hostNetwork: 'yes', containers: [{ image: 'a', ports: [{ containerPort: 1.5 }] }] });
    expect(problems).toEqual([
      { path: ['hostNetwork'], message: 'must be true or false, got string' },
      { path: ['containers', 0, 'ports', 0, 'containerPort'], message: 'must be an integer, got number' },
    ]);
    expect(value).toEqual({ containers: [{ image: 'a', ports: [{}] }] });
  });

  it('gives nil for null pointers, lists and maps, and zero values for null list items', () => {
    expect(decode({ nodeSelector: null, containers: [null], volumes: null }).value).toEqual({ containers: [{}] });
  });

  it('does not share objects between places a YAML alias repeated', () => {
    const shared = { name: 'x', value: 'y' };
    const { value } = decode({ containers: [{ env: [shared] }, { env: [shared] }] }) as { value: { containers: Array<{ env: unknown[] }> } };
    expect(value.containers[0].env[0]).not.toBe(value.containers[1].env[0]);
  });
});
