package contract_test

import (
	"context"
	"strings"
	"testing"

	qapi "github.com/qapitools/qapi"
	"github.com/qapitools/qapi/check"
	"github.com/qapitools/qapi/contract"
	"github.com/qapitools/qapi/mock"
	"github.com/qapitools/qapi/mock/mocktest"
)

// TestContract runs the suite against the embedded mock as Go subtests, one
// per operation and check. (qapi contract runs it against a real cluster.)
func TestContract(t *testing.T) {
	spec, err := qapi.Spec()
	if err != nil {
		t.Fatal(err)
	}
	srv := mocktest.NewServer(t, mock.WithSpec(spec))
	rep, err := contract.Run(context.Background(), contract.Config{
		Spec: spec, BaseURL: srv.URL, HTTPClient: srv.Client(),
		Username: mock.DefaultUser, Password: mock.DefaultPassword,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range rep.Operations {
		t.Run(op.ID, func(t *testing.T) {
			for _, cr := range op.Results {
				t.Run(cr.Check, func(t *testing.T) {
					switch cr.Status {
					case check.Skip:
						t.Skip(cr.Reason)
					case check.Fail:
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

func TestUnknownCheckIsASetupError(t *testing.T) {
	t.Parallel()
	spec, _ := qapi.Spec()
	_, err := contract.Run(context.Background(), contract.Config{Spec: spec, BaseURL: "http://127.0.0.1:1", Checks: []string{"no_such_check"}})
	if err == nil || !strings.Contains(err.Error(), `unknown check "no_such_check"`) {
		t.Fatalf("err = %v", err)
	}
}
