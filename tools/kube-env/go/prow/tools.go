//go:build tools

// Package tools pins the Prow commands the integration tests run: plank (prow-controller-manager), mkpj and
// checkconfig.
package tools

import (
	_ "sigs.k8s.io/prow/cmd/checkconfig"
	_ "sigs.k8s.io/prow/cmd/mkpj"
	_ "sigs.k8s.io/prow/cmd/prow-controller-manager"
)
