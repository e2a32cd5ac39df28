/**
 * Environment variables Prow sets in a job's containers itself, by the component that sets them. A job relies on
 * them being Prow's: manual-trigger refuses to let callers override any of them (its `--allowed-env`).
 *
 * From sigs.k8s.io/prow:
 * - `pkg/pod-utils/downwardapi/jobspec.go` (`EnvForSpec`, `EnvForType`): the downward API every ProwJob pod gets,
 *   decorated or not.
 * - `pkg/pod-utils/decorate/podspec.go` (`decorate`): ARTIFACTS and GOPATH in the test containers of a decorated
 *   job, and the options of each pod utility in its container, under the `JSONConfigEnvVar` of
 *   `pkg/entrypoint`, `pkg/sidecar`, `pkg/initupload`, `pkg/clonerefs` and `pkg/gcsupload`.
 * - Credentials mounted into the pod (by decoration for uploads, by the config's presets for the jobs, e.g. the
 *   e2e kubeconfig): the variables that point tools at them. Overriding one points a job at other credentials.
 */
export const PROW_ENV: Readonly<Record<string, string>> = Object.freeze({
  CI: "Prow's downward API (pod utilities)",
  JOB_SPEC: "Prow's downward API (pod utilities)",
  JOB_NAME: "Prow's downward API (pod utilities)",
  JOB_TYPE: "Prow's downward API (pod utilities)",
  PROW_JOB_ID: "Prow's downward API (pod utilities)",
  BUILD_ID: "Prow's downward API (pod utilities)",
  BUILD_NUMBER: "Prow's downward API (pod utilities)",
  REPO_OWNER: "Prow's downward API (pod utilities)",
  REPO_NAME: "Prow's downward API (pod utilities)",
  SRC_BASE: "Prow's downward API (pod utilities)",
  SRC_HOST: "Prow's downward API (pod utilities)",
  PULL_BASE_REF: "Prow's downward API (pod utilities)",
  PULL_BASE_SHA: "Prow's downward API (pod utilities)",
  PULL_REFS: "Prow's downward API (pod utilities)",
  PULL_NUMBER: "Prow's downward API (pod utilities)",
  PULL_PULL_SHA: "Prow's downward API (pod utilities)",
  PULL_HEAD_REF: "Prow's downward API (pod utilities)",
  PULL_TITLE: "Prow's downward API (pod utilities)",
  TRIGGER_COMMENT_ID: "Prow's downward API (pod utilities)",
  TRIGGER_COMMENT_URL: "Prow's downward API (pod utilities)",
  ARTIFACTS: "Prow's decoration",
  GOPATH: "Prow's decoration",
  ENTRYPOINT_OPTIONS: "Prow's decoration (entrypoint)",
  SIDECAR_OPTIONS: "Prow's decoration (sidecar)",
  INITUPLOAD_OPTIONS: "Prow's decoration (initupload)",
  CLONEREFS_OPTIONS: "Prow's decoration (clonerefs)",
  GCSUPLOAD_OPTIONS: "Prow's decoration (gcsupload)",
  KUBECONFIG: "Prow's presets and decoration (it points at a mounted credential)",
  GOOGLE_APPLICATION_CREDENTIALS: "Prow's presets and decoration (it points at a mounted credential)",
});
