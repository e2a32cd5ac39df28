#!/usr/bin/env bash
# The whole test suite: lint, typecheck, unit and contract tests of every project, then the integration tier
# against a real kube-apiserver, etcd, Prow plank/mkpj and helm (built from Go modules on first use, then cached).
set -euo pipefail
cd "$(dirname "$0")/.."
export NX_NO_CLOUD=true NX_DAEMON=false
bash scripts/ensure-deps.sh --test
npx nx run-many -t lint typecheck --output-style=static
npx nx run-many -t test --output-style=static --parallel=2
if [ "${SKIP_INTEGRATION:-}" = 1 ]; then
  echo "test.sh: SKIP_INTEGRATION=1, integration tier not run" >&2
  exit 0
fi
npm run test:integration
