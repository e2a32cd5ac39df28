#!/usr/bin/env bash
# Starts the whole stack on its embedded defaults, no cluster needed:
#   manual-trigger on :8080 (metrics :9090) with the example Prow config, in dry-run unless a cluster is configured;
#   cimaster on :8081 (metrics :9091) with the file store, its createcluster wired to manual-trigger.
# Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
export NX_NO_CLOUD=true NX_DAEMON=false
bash scripts/ensure-deps.sh
npx nx run-many -t build -p manual-trigger cimaster --output-style=static >&2

MT_PORT=${MT_PORT:-8080} MT_METRICS_PORT=${MT_METRICS_PORT:-9090}
CM_PORT=${CM_PORT:-8081} CM_METRICS_PORT=${CM_METRICS_PORT:-9091}
STATE_DIR=${STATE_DIR:-tmp}
mkdir -p "$STATE_DIR"

mt_args=(--host 127.0.0.1 --port "$MT_PORT" --metrics-port "$MT_METRICS_PORT"
  --config-path examples/prow/config.yaml --job-config-path examples/prow/jobs
  --allowed-env E2E_FOCUS --cimaster-console-url "http://127.0.0.1:$CM_PORT/ui/")
if [ -n "${KUBECONFIG:-}" ] && [ "${CI_STACK_DRY_RUN:-}" != true ]; then
  echo "start: KUBECONFIG is set, manual-trigger creates real ProwJobs (CI_STACK_DRY_RUN=true to avoid)" >&2
  mt_args+=(--kubeconfig "$KUBECONFIG")
else
  mt_args+=(--dry-run)
fi

pids=()
stop() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop EXIT INT TERM

node dist/apps/manual-trigger/main.js "${mt_args[@]}" &
pids+=($!)
node dist/apps/cimaster/main.js --host 127.0.0.1 --port "$CM_PORT" --metrics-port "$CM_METRICS_PORT" \
  --store file --state-file "$STATE_DIR/cimaster-state.json" --manual-trigger-url "http://127.0.0.1:$MT_PORT" \
  --manual-trigger-console-url "http://127.0.0.1:$MT_PORT/ui/" &
pids+=($!)

cat >&2 <<MSG
start: manual-trigger  http://127.0.0.1:$MT_PORT   (metrics http://127.0.0.1:$MT_METRICS_PORT/metrics)
start: cimaster        http://127.0.0.1:$CM_PORT   (metrics http://127.0.0.1:$CM_METRICS_PORT/metrics)
start: consoles  http://127.0.0.1:$CM_PORT/ui/ (pool)  http://127.0.0.1:$MT_PORT/ui/ (triggers)
start: try  curl -s -X POST http://127.0.0.1:$MT_PORT/manual-trigger -H 'Content-Type: application/json' \\
              -d '{"org":"tess","repo":"tessops","base_ref":"master","prowtype":"postsubmit","prowjob":"sddz-e2e-k8s-1.32","user":"admin"}'
start:      curl -s 'http://127.0.0.1:$CM_PORT/addcluster?cluster=cluster-01&region=us-west&name=admin'
start:      curl -s 'http://127.0.0.1:$CM_PORT/getvacant?build=123&job=e2e-test'
MSG
wait -n "${pids[@]}"
