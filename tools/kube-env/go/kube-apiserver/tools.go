//go:build tools

// Package tools pins kube-apiserver v1.37.2 for the integration tests; it is built with
// `go build k8s.io/kubernetes/cmd/kube-apiserver` from this module.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
)
