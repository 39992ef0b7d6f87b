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
	"github.com/qapitools/qapi/report"
)

// TestContract runs the suite against the embedded mock as Go subtests, one
// per operation and check. (qapi contract runs it against a real cluster.)
func TestContract(t *testing.T) {
	rep := runOnTwin(t)
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

// The runner reaches what a fresh cluster makes hard to reach: a create
// refused because its path is taken (the twin exports / already) succeeds
// under a name of the run's own, and the item's later writes keep it;
// bodies that name a user name the one logged in; items without a GET of
// their own are followed through their collection's listing; and a
// singleton's DELETE runs after its GET.
func TestStatefulRoundTripOnTheTwin(t *testing.T) {
	t.Parallel()
	rep := runOnTwin(t, check.StatefulRoundTrip)
	// A read after its DELETE would have got 404: its skip would say so.
	want := map[string]string{
		"POST /v2/nfs/exports/":                       string(check.Pass),
		"PUT /v3/nfs/exports/{export_id}":             string(check.Pass),
		"POST /v1/auth/access-tokens/":                string(check.Pass),
		"POST /v1/s3/access-keys/":                    string(check.Pass),
		"POST /v1/s3/buckets/":                        string(check.Pass),
		"DELETE /v1/s3/buckets/{name}":                string(check.Pass),
		"POST /v1/auth/roles/":                        string(check.Pass),
		"GET /v1/auth/kerberos-keytab":                "not a write",
		"GET /v2/cluster/settings/ssl/ca-certificate": "not a write",
	}
	for _, op := range rep.Operations {
		w, ok := want[op.Method+" "+op.Path]
		if !ok {
			continue
		}
		delete(want, op.Method+" "+op.Path)
		for _, cr := range op.Results {
			if cr.Check == check.StatefulRoundTrip && string(cr.Status) != w && cr.Reason != w {
				t.Errorf("%s %s: %s %s (%s), want %s", op.Method, op.Path, cr.Check, cr.Status, cr.Reason, w)
			}
		}
	}
	for op := range want {
		t.Errorf("%s: not in the run", op)
	}
}

// runOnTwin runs the checks (all when none is named) against a twin
// serving the embedded api.yaml.
func runOnTwin(t *testing.T, checks ...string) *report.Report {
	t.Helper()
	spec, err := qapi.Spec()
	if err != nil {
		t.Fatal(err)
	}
	srv := mocktest.NewServer(t, mock.WithSpec(spec))
	rep, err := contract.Run(context.Background(), contract.Config{
		Spec: spec, BaseURL: srv.URL, HTTPClient: srv.Client(),
		Username: mock.DefaultUser, Password: mock.DefaultPassword, Checks: checks, Access: contract.Twin,
	})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}
