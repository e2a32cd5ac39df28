export { KUBE_FLAGS, SERVICE_ACCOUNT_DIR, loadKubeConfig, type KubeConfigOrigin, type KubeConfigSource } from './kubeconfig';
export {
  KubeAlreadyExistsError,
  KubeConflictError,
  KubeError,
  KubeForbiddenError,
  KubeGoneError,
  KubeInvalidError,
  KubeNotFoundError,
  KubeUnauthorizedError,
  KubeUnavailableError,
  kubeCall,
  toKubeError,
  type KubeRequest,
} from './errors';
export type { KubeConfig } from '@kubernetes/client-node';
