package contract_test

// Regression tests for issue 10: a server that decides how much the suite
// reads and reports.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/qapitools/qapi/contract"
	"github.com/qapitools/qapi/report"
)

// endless answers every request with a body that ends only when the
// client hangs up (bounded by the suite's read limit, so the test stops).
func endless(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	chunk := bytes.Repeat([]byte(`{"type":"Local","local_store":{"status":"Encrypted"}},`), 1<<10)
	_, _ = w.Write([]byte("["))
	for r.Context().Err() == nil {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

// Against a server sending endless bodies, or a value of megabytes where an
// enum is expected, the reports hold excerpts: each under a megabyte.
func TestHostileBodiesReportedAsExcerpts(t *testing.T) {
	t.Parallel()
	// More than a whole report may hold (1 MiB), and less than the bound
	// on answers, so the schema of the answer is checked.
	huge := `{"type":"Local","local_store":{"status":"` + strings.Repeat("y", 1<<20+1<<16) + `"}}`
	for name, tt := range map[string]struct {
		h        http.HandlerFunc
		maxBytes int
	}{
		// Read to the bound, which the run's own makes cheaper to reach.
		"endless body": {endless, 1 << 20},
		"huge value": {func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, huge)
		}, 0},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			hostileBodiesReport(t, name, tt.h, tt.maxBytes)
		})
	}
}

// hostileBodiesReport runs the suite against h and checks that every
// report holds excerpts only.
func hostileBodiesReport(t *testing.T, name string, h http.HandlerFunc, maxBytes int) {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	spec, err := keyStoreSpec()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := contract.Run(context.Background(), contract.Config{Spec: spec, BaseURL: srv.URL, Token: "session-v1:t", Access: contract.Twin, MaxResponseBytes: maxBytes})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := rep.WriteJSON(&out); err != nil {
		t.Fatal(err)
	}
	if out.Len() > 1<<20 {
		t.Errorf("%s: JSON report of %d bytes", name, out.Len())
	}
	failures, cut := 0, 0
	for _, o := range rep.Operations {
		for _, cr := range o.Results {
			for _, f := range cr.Failures {
				failures++
				if f.Exchange != nil && f.Exchange.ResponseBody == fmt.Sprintf("[body longer than %d bytes, not kept]", maxBytes) {
					cut++
				}
				if len(f.Message) > 2*report.MaxExcerpt {
					t.Errorf("%s: %s: message of %d bytes", name, cr.Check, len(f.Message))
				}
				if f.Exchange != nil && len(f.Exchange.ResponseBody) > 2*report.MaxExcerpt {
					t.Errorf("%s: %s: response body of %d bytes kept", name, cr.Check, len(f.Exchange.ResponseBody))
				}
			}
		}
	}
	if failures == 0 {
		t.Errorf("%s: no failure reported", name)
	}
	if maxBytes > 0 && cut == 0 {
		t.Errorf("%s: no answer said to be cut at the run's bound of %d bytes", name, maxBytes)
	}
}
