#!/usr/bin/env bash
# The whole test suite: lint, typecheck, unit and contract tests of every project, then the integration tier
# against a real kube-apiserver, etcd, Prow plank/mkpj and helm (built from Go modules on first use, then cached).
set -euo pipefail
cd "$(dirname "$0")/.."
export NX_NO_CLOUD=true NX_DAEMON=false
bash scripts/ensure-deps.sh --test
# The real components the tests start (helm for the chart suite; etcd, kube-apiserver and Prow for the integration
# tier) are built from Go modules once, here, so that no test's timeout ever includes a first-time build.
components=(helm)
[ "${SKIP_INTEGRATION:-}" = 1 ] || components+=(etcd kube-apiserver prow)
for component in "${components[@]}"; do bash tools/kube-env/build.sh "$component" >/dev/null; done
npx nx run-many -t lint typecheck --output-style=static
npx nx run-many -t test --output-style=static --parallel=2
if [ "${SKIP_INTEGRATION:-}" = 1 ]; then
  echo "test.sh: SKIP_INTEGRATION=1, integration tier not run" >&2
  exit 0
fi
npm run test:integration
