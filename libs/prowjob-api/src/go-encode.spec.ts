import { encodeGo } from './go-encode';
import { GoTypes } from './go-types';

const podSpec = GoTypes.struct('core/v1.PodSpec');

describe("encodeGo: Go values written as Go's encoding/json writes them", () => {
  it('writes fields without omitempty and struct fields even when unset', () => {
    const pod = { containers: [{ image: 'a', env: [{ name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } }] }] };
    expect(encodeGo(pod, podSpec)).toEqual({
      containers: [{ name: '', image: 'a', env: [{ name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '0' } } }], resources: {} }],
    });
  });

  it('leaves out empty omitempty fields: "", false, 0, empty lists and maps, nil', () => {
    const pod = { containers: [{ name: 'c', image: '', args: [], env: [{ name: 'E', value: '' }], volumeMounts: [{ name: 'v', mountPath: '/v', readOnly: false }] }], nodeSelector: {} };
    expect(encodeGo(pod, podSpec)).toEqual({
      containers: [{ name: 'c', env: [{ name: 'E' }], volumeMounts: [{ name: 'v', mountPath: '/v' }], resources: {} }],
    });
  });

  it('writes the ProwJob status start time and drops the null creation timestamp', () => {
    const pj = { apiVersion: 'prow.k8s.io/v1', kind: 'ProwJob', metadata: { name: 'n' }, spec: { type: 'periodic', job: 'j', report: false }, status: { startTime: '2026-01-01T00:00:00Z', state: 'triggered' } };
    expect(encodeGo(pj, GoTypes.prowJob)).toEqual({ kind: 'ProwJob', apiVersion: 'prow.k8s.io/v1', metadata: { name: 'n' }, spec: { type: 'periodic', job: 'j' }, status: { startTime: '2026-01-01T00:00:00Z', state: 'triggered' } });
  });
});
