export { componentDir, ensureBinaries, type Binaries, type Component } from './binaries';
export { applyObjects, createNamespace, serviceAccountKubeconfig, startKubeEnv, type KubeEnv, type KubeEnvOptions } from './kube-env';
export { runMkpj, type MkpjArgs } from './mkpj';
export { rawRequest, type RawResponse } from './https-get';
export { freePort, startProcess, waitUntil, type Managed } from './processes';
export { writeKubeconfig } from './kubeconfig';
export { sharedKubeEnv, type SharedKubeEnv } from './jest-env';
export { startNodeService, type NodeService } from './node-service';
export { chromiumPath, launchChromium } from './chromium';
