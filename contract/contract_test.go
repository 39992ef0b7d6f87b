package contract

import (
	"context"
	"os"
	"strconv"
	"testing"

	qapi "github.com/qapitools/qapi"
)

// TestContract runs the suite as Go subtests, one per operation and check:
// against the embedded mock, or against the cluster QUMULO_URL names
// (read-only unless QAPI_ALLOW_WRITES=1).
func TestContract(t *testing.T) {
	spec, err := qapi.Spec()
	if err != nil {
		t.Fatal(err)
	}
	target, err := TargetFromEnv(os.Getenv, spec, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = target.Close() })
	writes := !target.Real || os.Getenv("QAPI_ALLOW_WRITES") == "1"
	seed, _ := strconv.ParseUint(os.Getenv("QAPI_SEED"), 10, 64)
	rep, err := Run(context.Background(), Config{
		Spec: spec, BaseURL: target.URL, HTTPClient: target.Client,
		Username: target.Username, Password: target.Password, Token: target.Token,
		Seed: seed, ReadOnly: !writes, Restore: target.Real && writes,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range rep.Operations {
		t.Run(op.ID, func(t *testing.T) {
			for _, cr := range op.Results {
				t.Run(cr.Check, func(t *testing.T) {
					switch cr.Status {
					case Skip:
						t.Skip(cr.Reason)
					case Fail:
						for _, f := range cr.Failures {
							t.Errorf("%s\nreproduce: %s", f.Message, f.Curl)
						}
					}
				})
			}
		})
	}
	if rep.Totals.Pass == 0 {
		t.Fatal("no check passed: the suite exercised nothing")
	}
}
