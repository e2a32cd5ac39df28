/**
 * ProwJob (`prow.k8s.io/v1`) and Prow job-config types, with Prow's own JSON field names. Pod specs and other
 * Kubernetes objects are open records: every field a job's `spec` has reaches the ProwJob, named here or not.
 */

export type ProwJobType = 'presubmit' | 'postsubmit' | 'periodic' | 'batch';
export type ProwJobState = 'scheduling' | 'triggered' | 'pending' | 'success' | 'failure' | 'aborted' | 'error';
export type ProwJobAgent = 'kubernetes' | 'jenkins' | 'tekton-pipeline' | string;

export const PROWJOB_TYPES: readonly ProwJobType[] = ['presubmit', 'postsubmit', 'periodic', 'batch'];
export const PROWJOB_STATES: readonly ProwJobState[] = ['scheduling', 'triggered', 'pending', 'success', 'failure', 'aborted', 'error'];

/** A Kubernetes object we pass through untouched (pod spec, containers, volumes, ...). */
export type KubeObject = Record<string, unknown>;

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: KubeObject;
}

export interface Container extends KubeObject {
  name?: string;
  image?: string;
  env?: EnvVar[];
  volumeMounts?: KubeObject[];
}

export interface PodSpec extends KubeObject {
  containers?: Container[];
  initContainers?: Container[];
  volumes?: KubeObject[];
}

export interface Pull {
  number: number;
  author: string;
  sha: string;
  title?: string;
  head_ref?: string;
  link?: string;
  commit_link?: string;
  author_link?: string;
}

export interface Refs {
  org: string;
  repo: string;
  repo_link?: string;
  base_ref?: string;
  base_sha?: string;
  base_link?: string;
  pulls?: Pull[];
  path_alias?: string;
  workdir?: boolean;
  clone_uri?: string;
  skip_submodules?: boolean;
  clone_depth?: number;
  skip_fetch_head?: boolean;
  blobless_fetch?: boolean;
}

/** Decoration settings; kept open because Prow adds fields over time and we must carry them all. */
export interface DecorationConfig extends KubeObject {
  timeout?: string;
  grace_period?: string;
  utility_images?: { clonerefs?: string; initupload?: string; entrypoint?: string; sidecar?: string };
  gcs_configuration?: KubeObject;
  gcs_credentials_secret?: string;
  oauth_token_secret?: { name?: string; key?: string };
  ssh_key_secrets?: string[];
  skip_cloning?: boolean;
  blobless_fetch?: boolean;
}

export interface ProwJobSpec {
  type: ProwJobType;
  agent: ProwJobAgent;
  cluster?: string;
  namespace?: string;
  job: string;
  refs?: Refs;
  extra_refs?: Refs[];
  report?: boolean;
  context?: string;
  rerun_command?: string;
  max_concurrency?: number;
  error_on_eviction?: boolean;
  pod_spec?: PodSpec;
  decoration_config?: DecorationConfig;
  reporter_config?: KubeObject;
  rerun_auth_config?: KubeObject;
  hidden?: boolean;
  prowjob_defaults?: { tenant_id?: string };
  job_queue_name?: string;
  pipeline_run_spec?: KubeObject;
  tekton_pipeline_run_spec?: KubeObject;
  jenkins_spec?: KubeObject;
}

export interface ProwJobStatus {
  state: ProwJobState;
  startTime: string;
  pendingTime?: string;
  completionTime?: string;
  description?: string;
  url?: string;
  pod_name?: string;
  build_id?: string;
  prev_report_states?: Record<string, string>;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  resourceVersion?: string;
  creationTimestamp?: string;
  uid?: string;
}

export interface ProwJob {
  apiVersion: 'prow.k8s.io/v1';
  kind: 'ProwJob';
  metadata: ObjectMeta;
  spec: ProwJobSpec;
  status: ProwJobStatus;
}

/** Fields every job kind shares (Prow's `JobBase`), as loaded and defaulted from job config. */
export interface JobBase {
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  max_concurrency?: number;
  agent: ProwJobAgent;
  cluster: string;
  namespace?: string;
  error_on_eviction?: boolean;
  spec?: PodSpec;
  pipeline_run_spec?: KubeObject;
  tekton_pipeline_run_spec?: KubeObject;
  decorate?: boolean;
  decoration_config?: DecorationConfig;
  extra_refs?: Refs[];
  path_alias?: string;
  clone_uri?: string;
  skip_submodules?: boolean;
  clone_depth?: number;
  skip_fetch_head?: boolean;
  reporter_config?: KubeObject;
  rerun_auth_config?: KubeObject;
  hidden?: boolean;
  prowjob_defaults?: { tenant_id?: string };
  job_queue_name?: string;
  /** Where the job was defined, for error messages. */
  source_path?: string;
  [extra: string]: unknown;
}

export interface Brancher {
  branches?: string[];
  skip_branches?: string[];
}

export interface Presubmit extends JobBase, Brancher {
  always_run?: boolean;
  optional?: boolean;
  context: string;
  skip_report?: boolean;
  rerun_command: string;
  trigger: string;
  run_if_changed?: string;
  skip_if_only_changed?: string;
}

export interface Postsubmit extends JobBase, Brancher {
  always_run?: boolean;
  context: string;
  skip_report?: boolean;
  run_if_changed?: string;
  skip_if_only_changed?: string;
}

export interface Periodic extends JobBase {
  cron?: string;
  interval?: string;
  minimum_interval?: string;
  tags?: string[];
}
