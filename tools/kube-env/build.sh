#!/usr/bin/env bash
# Builds one integration-test component from Go modules into the cache, once:
#   ${XDG_CACHE_HOME:-~/.cache}/ci-stack/kube-env/<component>-<version>/
# Usage: build.sh etcd|kube-apiserver|prow|helm   (prints the directory holding the binaries)
# Safe to run concurrently: a lock serializes builds of one component; a finished build is marked by a stamp.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/ci-stack/kube-env"
component="${1:?usage: build.sh etcd|kube-apiserver|prow|helm}"
case "$component" in
  etcd) version=v3.7.3 ;;
  kube-apiserver) version=v1.37.2 ;;
  prow) version=v0.0.0-20240619181241-cfb8754e0459 ;;
  helm) version=v3.22.0 ;;
  *) echo "unknown component $component" >&2; exit 2 ;;
esac
out="$cache/$component-$version"
mkdir -p "$out"
command -v flock >/dev/null || { echo "kube-env: flock (util-linux) is needed to build $component" >&2; exit 1; }
exec 9>"$out/.lock"
flock 9
if [ -f "$out/.built" ]; then echo "$out"; exit 0; fi
command -v go >/dev/null || { echo "kube-env: Go is needed to build $component (https://go.dev/dl)" >&2; exit 1; }
export GOFLAGS=-mod=mod CGO_ENABLED=0
started=$(date +%s)
echo "kube-env: building $component $version (first time only)..." >&2
case "$component" in
  etcd)
    (cd "$here/go/etcd" && go build -o "$out/etcd" . 9>&-) ;;
  kube-apiserver)
    pkg=k8s.io/component-base/version
    (cd "$here/go/kube-apiserver" && go build -ldflags "-X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=37" \
      -o "$out/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver 9>&-) ;;
  prow)
    (cd "$here/go/prow" && for cmd in prow-controller-manager mkpj checkconfig; do go build -o "$out/$cmd" "sigs.k8s.io/prow/cmd/$cmd" 9>&-; done
     crd="$(go list -m -f '{{.Dir}}' sigs.k8s.io/prow 9>&-)/config/prow/cluster/prowjob-crd/prowjob_customresourcedefinition.yaml"
     cp "$crd" "$out/prowjob-crd.yaml" && chmod 644 "$out/prowjob-crd.yaml") ;;
  helm)
    GOBIN="$out" go install "helm.sh/helm/v3/cmd/helm@$version" 9>&- ;;
esac
touch "$out/.built"
echo "kube-env: built $component in $(( $(date +%s) - started ))s" >&2
echo "$out"
