package codegen

// Regression test for issue 10: qapi generate on a document oapi-codegen
// takes hours over (its enum pass compares every enum with every other)
// ignored Ctrl-C.

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"
)

// Generate returns when its context ends while oapi-codegen still runs.
func TestHostileGenerateInterruptible(t *testing.T) {
	spec, err := os.ReadFile("../../api.yaml")
	if err != nil {
		t.Fatal(err)
	}
	started, release := make(chan struct{}), make(chan struct{})
	generateCode = func(*openapi3.T, codegen.Configuration) (string, error) {
		close(started)
		<-release
		return "", nil
	}
	t.Cleanup(func() {
		close(release)
		mu.Lock() // the abandoned run is done with the hook
		generateCode = codegen.Generate
		mu.Unlock()
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-started
		cancel()
	}()
	if _, err := Generate(ctx, spec, Config("p")); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}
