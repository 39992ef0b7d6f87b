package qapi

import (
	"context"
	_ "embed"
	"fmt"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// APIYAML is the contract, api.yaml, exactly as committed, with its YAML
// layout: the one copy embedded in qapi's packages (gen embeds none, so
// programs that use the client do not link kin-openapi).
//
//go:embed api.yaml
var APIYAML []byte

var (
	specOnce sync.Once
	spec     *openapi3.T
	specErr  error
)

// Spec returns the parsed and validated contract. Callers share one
// document and must not change it.
func Spec() (*openapi3.T, error) {
	specOnce.Do(func() {
		spec, specErr = openapi3.NewLoader().LoadFromData(APIYAML)
		if specErr == nil {
			specErr = spec.Validate(context.Background())
		}
		if specErr != nil {
			specErr = fmt.Errorf("embedded api.yaml: %w", specErr)
		}
	})
	return spec, specErr
}
