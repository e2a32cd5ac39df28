export { FakeKubeApi, type PlankSimulation } from './testing/fake-kube-api';
export { LabelSelectorError, matchesRequirements, parseLabelSelector, type Requirement } from './testing/label-selector';

import { FakeKubeApi } from './testing/fake-kube-api';

/** Starts a fake kube-apiserver on a free loopback port; call `close()` when done. */
export function startFakeKubeApi(): Promise<FakeKubeApi> {
  return FakeKubeApi.start();
}
