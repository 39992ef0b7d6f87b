package contract_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	qapi "github.com/qapitools/qapi"
	"github.com/qapitools/qapi/contract"
	"github.com/qapitools/qapi/internal/oas"
	"github.com/qapitools/qapi/mock"
	"github.com/qapitools/qapi/mock/mocktest"
)

// The classes of the operations the issue named, and of the settings a
// restore used to miss.
func TestClassify(t *testing.T) {
	t.Parallel()
	spec, err := qapi.Spec()
	if err != nil {
		t.Fatal(err)
	}
	classes := map[string]contract.Classified{}
	for _, c := range contract.Classify(spec) {
		if c.Reason == "" {
			t.Errorf("%s %s: %s without a reason", c.Method, c.Path, c.Safety)
		}
		if c.Method == http.MethodGet && c.Safety != contract.Read {
			t.Errorf("%s %s is %s", c.Method, c.Path, c.Safety)
		}
		classes[c.Method+" "+c.Path] = c
	}
	for op, want := range map[string]contract.Safety{
		"POST /v1/shutdown/halt":                               contract.Disruptive,
		"POST /v1/shutdown/reboot/start":                       contract.Disruptive,
		"POST /v2/upgrade/prepare":                             contract.Disruptive,
		"POST /v2/upgrade/commit":                              contract.Disruptive,
		"POST /v1/ad/join":                                     contract.Disruptive,
		"POST /v1/ad/leave":                                    contract.Disruptive,
		"POST /v1/cluster/nodes/":                              contract.Disruptive,
		"PUT /v1/network/settings":                             contract.Disruptive,
		"POST /v2/network/interfaces/{interface_id}/networks/": contract.Disruptive,
		"PUT /v2/cluster/settings/ssl/certificate":             contract.Disruptive,
		"POST /v1/session/change-password":                     contract.Disruptive,
		"POST /v1/users/{id}/setpassword":                      contract.Disruptive,
		"DELETE /v1/files/locks/nlm/byte-range/":               contract.Disruptive,
		"POST /v2/cluster/create":                              contract.Disruptive,
		"PUT /v2/encryption/key-store":                         contract.Disruptive,
		"PUT /v1/auth/kerberos-keytab":                         contract.Disruptive,
		"PATCH /v1/support/vpn-keys":                           contract.Disruptive,
		"POST /v1/tree-delete/jobs/restart/{id}":               contract.Disruptive,
		"POST /v1/tree-delete/jobs/":                           contract.Irreversible,
		"POST /v3/snapshots/{id}/lock":                         contract.Irreversible,
		"POST /v1/auth/clear-cache":                            contract.Irreversible,
		"PATCH /v1/s3/settings":                                contract.Reversible,
		"PATCH /v1/dns/configs/system":                         contract.Reversible,
		"PUT /v1/cluster/settings":                             contract.Reversible,
		"POST /v1/users/":                                      contract.Reversible,
		"POST /v1/auth/roles/":                                 contract.Reversible,
		"POST /v1/auth/roles/{role_name}/members":              contract.Reversible,
		"DELETE /v1/snapshots/{id}":                            contract.Reversible,
		"POST /v1/identity/find":                               contract.Read,
		"POST /v1/session/login":                               contract.Read,
		"GET /v1/version":                                      contract.Read,
	} {
		c, ok := classes[op]
		if !ok {
			t.Errorf("%s: not in the spec", op)
			continue
		}
		if c.Safety != want {
			t.Errorf("%s is %s (%s), want %s", op, c.Safety, c.Reason, want)
		}
	}
}

// recorder is the HTTP transport of a run: it fails the test on any
// request the run's access must not send, and counts what it saw.
type recorder struct {
	t       *testing.T
	next    http.RoundTripper
	router  *oas.Router
	classes map[string]contract.Safety
	allowed map[contract.Safety]bool
	mu      sync.Mutex
	writes  int
}

func newRecorder(t *testing.T, spec *openapi3.T, next http.RoundTripper, allowed ...contract.Safety) *recorder {
	t.Helper()
	rt, err := oas.NewRouter(spec)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{t: t, next: next, router: rt, classes: map[string]contract.Safety{}, allowed: map[contract.Safety]bool{}}
	for _, c := range contract.Classify(spec) {
		rec.classes[c.Method+" "+c.Path] = c.Safety
	}
	for _, a := range allowed {
		rec.allowed[a] = true
	}
	return rec
}

func (rec *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		route, _, err := rec.router.FindRoute(req)
		if err != nil || route.Path != "/v1/session/login" {
			rec.mu.Lock()
			rec.writes++
			rec.mu.Unlock()
		}
		switch {
		case err != nil:
			rec.t.Errorf("%s %s: sent, and not in the spec", req.Method, req.URL.Path)
		case req.Method == http.MethodPost && route.Path == "/v1/session/login":
		case !rec.allowed[rec.classes[req.Method+" "+route.Path]]:
			rec.t.Errorf("%s %s (%s): sent, and the run's access does not allow it", req.Method, req.URL.Path, rec.classes[req.Method+" "+route.Path])
		}
	}
	return rec.next.RoundTrip(req)
}

// state reads every GET of the spec that takes no parameter: what a run
// must leave as it found it.
func state(t *testing.T, srv *mock.Server, spec *openapi3.T) map[string]string {
	t.Helper()
	token := login(t, srv)
	out := map[string]string{}
	for path, item := range spec.Paths.Map() {
		if item.Get == nil || strings.Contains(path, "{") || len(oas.Parameters(item, item.Get)) > 0 {
			continue
		}
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		out[path] = resp.Status + " " + string(body)
	}
	return out
}

func login(t *testing.T, srv *mock.Server) string {
	t.Helper()
	resp, err := srv.Client().Post(srv.URL+"/v1/session/login", "application/json", strings.NewReader(`{"username":"admin","password":"admin"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var cred struct {
		BearerToken string `json:"bearer_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&cred); err != nil {
		t.Fatal(err)
	}
	return cred.BearerToken
}

// unchanged fails the test for each parameterless GET that reads other
// than before.
func unchanged(t *testing.T, before, after map[string]string) {
	t.Helper()
	for path, was := range before {
		if is := after[path]; is != was {
			t.Errorf("GET %s changed:\nbefore %.300s\nafter  %.300s", path, was, is)
		}
	}
}

// A read-only run against a cluster sends nothing but GET, HEAD and its
// login, whatever it checks, and changes nothing.
func TestReadOnlyRunSendsNoWrite(t *testing.T) {
	t.Parallel()
	spec, err := qapi.Spec()
	if err != nil {
		t.Fatal(err)
	}
	srv := mocktest.NewServer(t, mock.WithSpec(spec))
	before := state(t, srv, spec)
	rec := newRecorder(t, spec, transportOf(srv))
	rep, err := contract.Run(context.Background(), contract.Config{Spec: spec, BaseURL: srv.URL, HTTPClient: &http.Client{Transport: rec},
		Username: mock.DefaultUser, Password: mock.DefaultPassword, Access: contract.ReadOnly})
	if err != nil {
		t.Fatal(err)
	}
	if rec.writes != 0 {
		t.Errorf("the run sent %d requests other than GET, HEAD and logins", rec.writes)
	}
	unchanged(t, before, state(t, srv, spec))
	notRun := 0
	for _, op := range rep.Operations {
		if op.NotRun != "" {
			notRun++
		}
		if op.NotServed != "" {
			t.Errorf("%s %s: not served (%s) by the twin that serves it", op.Method, op.Path, op.NotServed)
		}
		if op.Method == http.MethodGet && op.NotRun != "" {
			t.Errorf("GET %s not run: %s", op.Path, op.NotRun)
		}
	}
	if notRun == 0 || rep.Totals.Pass == 0 {
		t.Errorf("%d operations not run, %d checks passed", notRun, rep.Totals.Pass)
	}
}

// A run with --allow-writes sends reversible operations only, journals
// them, and leaves the cluster as it found it: settings read the same,
// and what it created is gone.
func TestAllowWritesPutsEverythingBack(t *testing.T) {
	t.Parallel()
	spec, err := qapi.Spec()
	if err != nil {
		t.Fatal(err)
	}
	srv := mocktest.NewServer(t, mock.WithSpec(spec))
	before := state(t, srv, spec)
	rec := newRecorder(t, spec, transportOf(srv), contract.Read, contract.Reversible)
	journal := filepath.Join(t.TempDir(), "journal")
	rep, err := contract.Run(context.Background(), contract.Config{Spec: spec, BaseURL: srv.URL, HTTPClient: &http.Client{Transport: rec},
		Username: mock.DefaultUser, Password: mock.DefaultPassword, Access: contract.AllowWrites, Journal: journal})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.RestoreErrors) > 0 {
		t.Errorf("not restored: %q", rep.RestoreErrors)
	}
	if rec.writes < 100 || len(rep.Restored) < 20 {
		t.Errorf("%d writes sent and %d put back: the run exercised little", rec.writes, len(rep.Restored))
	}
	for _, want := range []string{"PATCH /v1/s3/settings", "PATCH /v1/dns/configs/system"} {
		found := false
		for _, r := range rep.Restored {
			found = found || r == want
		}
		if !found {
			t.Errorf("%s is not among what was put back", want)
		}
	}
	if _, err := os.Stat(journal); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the journal is kept after everything was put back: %v", err)
	}
	unchanged(t, before, state(t, srv, spec))
}

// cut is the embedded spec cut to the paths under the prefixes: settings
// read and patched, items created, and disruptive operations that must not
// be sent, for tests that run the suite several times.
func cut(t *testing.T) *openapi3.T {
	t.Helper()
	spec, err := qapi.Spec()
	if err != nil {
		t.Fatal(err)
	}
	out := *spec
	out.Paths = openapi3.NewPaths()
	for path, item := range spec.Paths.Map() {
		for _, prefix := range []string{"/v1/session/", "/v1/s3/", "/v1/dns/", "/v1/users/", "/v1/auth/roles/", "/v1/groups/",
			"/v2/smb/", "/v1/files/quotas/", "/v2/snapshots/", "/v1/cluster/settings", "/v1/files/{ref}/info/attributes",
			"/v1/time/", "/v1/shutdown/", "/v1/network/", "/v2/upgrade/"} {
			if strings.HasPrefix(path, prefix) {
				out.Paths.Set(path, item)
			}
		}
	}
	return &out
}

// A run interrupted at any point (SIGTERM cancels its context) still puts
// back everything it changed.
func TestInterruptedAnywherePutsEverythingBack(t *testing.T) {
	t.Parallel()
	spec := cut(t)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rnd := rand.New(rand.NewPCG(seed, 1))
	for range 3 {
		srv := mocktest.NewServer(t, mock.WithSpec(spec))
		before := state(t, srv, spec)
		ctx, cancel := context.WithCancel(context.Background())
		after := int64(1 + rnd.IntN(300))
		var sent atomic.Int64
		client := &http.Client{Transport: roundTripFunc(func(req *http.Request) (*http.Response, error) {
			if sent.Add(1) == after {
				cancel()
			}
			return transportOf(srv).RoundTrip(req)
		})}
		rep, err := contract.Run(ctx, contract.Config{Spec: spec, BaseURL: srv.URL, HTTPClient: client,
			Username: mock.DefaultUser, Password: mock.DefaultPassword, Access: contract.AllowWrites, Seed: seed})
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.RestoreErrors) > 0 {
			t.Errorf("interrupted after %d requests: not restored: %q", after, rep.RestoreErrors)
		}
		unchanged(t, before, state(t, srv, spec))
	}
}

// transportOf is the transport that reaches srv.
func transportOf(srv *mock.Server) http.RoundTripper {
	if tr := srv.Client().Transport; tr != nil {
		return tr
	}
	return http.DefaultTransport
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

// When the cluster stops answering mid-run, the run stops, keeps its
// journal and says so; once the cluster is back, Restore puts back what
// the journal holds, as `qapi contract --restore` does after a kill -9.
func TestRestoreFromJournal(t *testing.T) {
	t.Parallel()
	spec := cut(t)
	srv := mocktest.NewServer(t, mock.WithSpec(spec))
	before := state(t, srv, spec)
	var writes atomic.Int64
	var down atomic.Bool
	client := &http.Client{Transport: roundTripFunc(func(req *http.Request) (*http.Response, error) {
		if req.Method != http.MethodGet && writes.Add(1) == 60 {
			down.Store(true)
		}
		if down.Load() {
			return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
		}
		return transportOf(srv).RoundTrip(req)
	})}
	journal := filepath.Join(t.TempDir(), "journal")
	cfg := contract.Config{Spec: spec, BaseURL: srv.URL, HTTPClient: client,
		Username: mock.DefaultUser, Password: mock.DefaultPassword, Access: contract.AllowWrites, Journal: journal}
	rep, err := contract.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Interrupted || !strings.Contains(rep.StopReason, "in a row got no answer") || rep.Journal != journal || len(rep.RestoreErrors) == 0 {
		t.Fatalf("interrupted %v (%q), journal %q, %d not restored", rep.Interrupted, rep.StopReason, rep.Journal, len(rep.RestoreErrors))
	}
	if _, err := contract.Run(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "--restore") {
		t.Errorf("a second run over the kept journal: %v, want a refusal that names --restore", err)
	}
	other := cfg
	other.BaseURL = "http://127.0.0.1:1"
	if _, err := contract.Restore(context.Background(), other, journal); err == nil || !strings.Contains(err.Error(), "not to http://127.0.0.1:1") {
		t.Errorf("restore to another cluster: %v", err)
	}
	down.Store(false)
	rest, err := contract.Restore(context.Background(), cfg, journal)
	if err != nil {
		t.Fatal(err)
	}
	if len(rest.RestoreErrors) > 0 || len(rest.Restored) == 0 || rest.Journal != "" {
		t.Errorf("restore: %d put back, not restored %q, journal kept %q", len(rest.Restored), rest.RestoreErrors, rest.Journal)
	}
	if _, err := os.Stat(journal); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("journal left after a full restore: %v", err)
	}
	unchanged(t, before, state(t, srv, spec))
}

// Against a cluster that accepts connections and never answers, the run
// gives up after MaxTransportFailures requests in a row, each bounded by
// RequestTimeout, instead of waiting on every operation.
func TestHungClusterStopsTheRun(t *testing.T) {
	t.Parallel()
	spec, err := qapi.Spec()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { close(done); ln.Close() })
	var accepted atomic.Int64
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			go func() { <-done; c.Close() }()
		}
	}()
	rep, err := contract.Run(context.Background(), contract.Config{Spec: spec, BaseURL: "http://" + ln.Addr().String(), Token: "session-v1:t",
		Access: contract.ReadOnly, RequestTimeout: 50 * time.Millisecond, MaxTransportFailures: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Interrupted || !strings.Contains(rep.StopReason, "3 requests in a row got no answer") {
		t.Errorf("interrupted %v: %q", rep.Interrupted, rep.StopReason)
	}
	if rep.Requests > 5 {
		t.Errorf("%d requests sent to a cluster that never answers", rep.Requests)
	}
}

// An operation the target does not serve (its routing answers 404) is
// reported as not served, in its own column, and none of its checks pass.
func TestNotServed(t *testing.T) {
	t.Parallel()
	served := cut(t)
	srv := mocktest.NewServer(t, mock.WithSpec(served))
	spec := *served
	spec.Paths = openapi3.NewPaths()
	for path, item := range served.Paths.Map() {
		spec.Paths.Set(path, item)
	}
	spec.Paths.Set("/v9/not/served", &openapi3.PathItem{Get: &openapi3.Operation{OperationID: "GetNotServed",
		Responses: openapi3.NewResponses(openapi3.WithStatus(200, &openapi3.ResponseRef{Value: openapi3.NewResponse().WithDescription("ok")}))}})
	rep, err := contract.Run(context.Background(), contract.Config{Spec: &spec, BaseURL: srv.URL, HTTPClient: srv.Client(),
		Username: mock.DefaultUser, Password: mock.DefaultPassword, Access: contract.Twin})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Totals.NotServed != 1 {
		t.Errorf("%d operations not served, want 1", rep.Totals.NotServed)
	}
	for _, op := range rep.Operations {
		if (op.Path == "/v9/not/served") != (op.NotServed != "") {
			t.Errorf("%s %s: not served %q", op.Method, op.Path, op.NotServed)
		}
		for _, cr := range op.Results {
			if op.NotServed != "" && cr.Status != "skip" {
				t.Errorf("%s of an operation not served: %s", cr.Check, cr.Status)
			}
		}
	}
	var b strings.Builder
	_ = rep.WriteText(&b)
	if !strings.Contains(b.String(), "unserved") || !strings.Contains(b.String(), "GET /v9/not/served (404 http_not_found_error)") {
		t.Errorf("summary:\n%s", b.String())
	}
}
