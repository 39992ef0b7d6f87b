package mock

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
	"weak"

	"github.com/getkin/kin-openapi/openapi3"

	qapi "github.com/qapitools/qapi"
)

// A fault applies whichever way the mock is served: a Mock served with
// httptest.NewServer used to be the healthy twin, only Handler() faulty.
func TestFaultOnEveryServingPath(t *testing.T) {
	t.Parallel()
	get := func(t *testing.T, h http.Handler) int {
		srv := httptest.NewServer(h)
		defer srv.Close()
		resp, err := http.Get(srv.URL + "/v1/version")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	paths := map[string]func(t *testing.T, m *Mock) int{
		"ServeHTTP": func(t *testing.T, m *Mock) int {
			rec := httptest.NewRecorder()
			m.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/version", nil))
			return rec.Code
		},
		"httptest.NewServer(m)":           func(t *testing.T, m *Mock) int { return get(t, m) },
		"httptest.NewServer(m.Handler())": func(t *testing.T, m *Mock) int { return get(t, m.Handler()) },
		"Start": func(t *testing.T, _ *Mock) int {
			c := setup(t, WithFault(FaultUndocumentedStatus))
			return c.do("GET", "/v1/version", nil, nil).status
		},
	}
	for name, serve := range paths {
		t.Run(name, func(t *testing.T) {
			m, err := New(WithFault(FaultUndocumentedStatus))
			if err != nil {
				t.Fatal(err)
			}
			if got := serve(t, m); got != http.StatusNonAuthoritativeInfo {
				t.Errorf("GET /v1/version = %d, want the fault's 203", got)
			}
		})
	}
}

// FaultChecks hands out copies: a caller sorting or editing its slice does
// not change what the next caller reads.
func TestFaultChecksIsACopy(t *testing.T) {
	t.Parallel()
	got := FaultChecks(FaultServerErrorOnBadInput)
	want := slices.Clone(got)
	got[0] = "changed"
	if again := FaultChecks(FaultServerErrorOnBadInput); !slices.Equal(again, want) {
		t.Errorf("FaultChecks after a caller's edit = %v, want %v", again, want)
	}
	if FaultChecks("no-such-fault") != nil {
		t.Error("FaultChecks of an unknown fault is not nil")
	}
}

// Mocks of one document share its blueprint, built once; a seed that fails
// is New's error, not a panic.
func TestBlueprintSharedAndSeedErrors(t *testing.T) {
	t.Parallel()
	a, err := New()
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(WithSeed(9))
	if err != nil {
		t.Fatal(err)
	}
	if a.blueprint != b.blueprint {
		t.Error("two mocks of the embedded spec built two blueprints")
	}
	// Two seeds with one id: the second insert fails.
	bad := *a.blueprint
	bad.colls = maps.Clone(a.colls)
	users := *bad.colls["/users"]
	fam := *users.fam
	fam.seed = append(slices.Clone(fam.seed), fam.seed[0])
	users.fam = &fam
	bad.colls["/users"] = &users
	doc, _ := qapi.Spec()
	m := &Mock{cfg: newConfig(nil), doc: doc, blueprint: &bad}
	if _, err := newEngine(m, &bad); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("a duplicate seed: err = %v, want an already-exists error", err)
	}
}

// Seed and Get reach the twin without a token and past reactions and
// faults; Get changes nothing a client's read would.
func TestSeedAndGet(t *testing.T) {
	t.Parallel()
	m, err := New(WithFault(FaultLostWrite))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := m.MkdirAll("/projects/a"); err != nil {
		t.Fatal(err)
	}
	out, err := m.Seed(ctx, "POST", "/v2/smb/shares/", map[string]any{"share_name": "projects", "fs_path": "/projects"})
	if err != nil {
		t.Fatal(err)
	}
	var share struct{ ID string }
	if err := json.Unmarshal(out, &share); err != nil || share.ID == "" {
		t.Fatalf("Seed answered %s (%v), want the share with its id", out, err)
	}
	if _, err := m.React(Reaction{Method: "GET", Path: "/v2/smb/shares/{ref}", Status: 503}); err != nil {
		t.Fatal(err)
	}
	got, err := m.Get("/v2/smb/shares/projects")
	if err != nil || !strings.Contains(string(got), `"fs_path":"/projects"`) {
		t.Errorf("Get by name = %s, %v; want the seeded share", got, err)
	}
	if _, err := m.Get("/v2/smb/shares/nothing"); !IsNotFound(err) {
		t.Errorf("Get of a share never made: err = %v, want IsNotFound", err)
	}
	_, err = m.Seed(ctx, "POST", "/v2/smb/shares/", map[string]any{"share_name": "projects", "fs_path": "/projects"})
	var e *Error
	if !errors.As(err, &e) || e.Class() != "rest_invalid_request_error" {
		t.Errorf("a second share of that name: err = %v, want an *Error of class rest_invalid_request_error", err)
	}
	if _, err := m.Seed(ctx, "POST", "/v2/smb/shares/", `{"share_name": 7}`); err == nil || !strings.Contains(err.Error(), "share_name") {
		t.Errorf("an invalid body: err = %v, want a validation error naming the field", err)
	}
	if _, err := m.Seed(ctx, "GET", "no-slash", nil); err == nil {
		t.Error("a path without a leading slash: no error")
	}
}

// The file-system helpers make and read a tree the API then serves.
func TestFileSystemHelpers(t *testing.T) {
	t.Parallel()
	m, err := New()
	if err != nil {
		t.Fatal(err)
	}
	id, err := m.WriteFile("/data/in/a.txt", []byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.WriteFile("/data/in/a.txt", []byte("hello, world")); err != nil {
		t.Fatal(err)
	}
	if _, err := m.MkdirAll("/data/out"); err != nil {
		t.Fatal(err)
	}
	want := []string{"/", "/data/", "/data/in/", "/data/in/a.txt", "/data/out/"}
	if got := m.Files(); !slices.Equal(got, want) {
		t.Errorf("Files = %v, want %v", got, want)
	}
	if data, err := m.ReadFile(id); err != nil || string(data) != "hello, world" {
		t.Errorf("ReadFile = %q, %v", data, err)
	}
	attrs, err := m.Get("/v1/files/%2Fdata%2Fin%2Fa.txt/info/attributes")
	if err != nil || !strings.Contains(string(attrs), `"size":"12"`) {
		t.Errorf("the API's attributes of the file: %s, %v", attrs, err)
	}
	if _, err := m.WriteFile("/data/in", nil); err == nil {
		t.Error("WriteFile over a directory: no error")
	}
	if _, err := m.ReadFile("/nothing"); err == nil {
		t.Error("ReadFile of nothing: no error")
	}
}

// A held job runs until the test fails or finishes it; a peek does not see
// it, so an unheld job a client never read keeps running.
func TestJobsOnDemand(t *testing.T) {
	t.Parallel()
	c := setup(t, WithHeldJobs())
	m := c.srv.Mock
	if _, err := m.WriteFile("/tmp/x/y", []byte("z")); err != nil {
		t.Fatal(err)
	}
	if r := c.do("POST", "/v1/tree-delete/jobs/", map[string]any{"id": "/tmp"}, nil); r.status != http.StatusAccepted {
		t.Fatalf("create job: %d %s", r.status, r.body)
	}
	jobs := m.Jobs()
	if len(jobs) != 1 {
		t.Fatalf("Jobs = %v, want one", jobs)
	}
	for range 3 {
		if r := c.do("GET", "/v1/tree-delete/jobs/"+jobs[0], nil, nil); r.status != http.StatusOK {
			t.Fatalf("a held job answers %d", r.status)
		}
	}
	if err := m.FailJob("/tmp", "file locked"); err != nil {
		t.Fatal(err)
	}
	if r := c.do("GET", "/v1/tree-delete/jobs/"+jobs[0], nil, nil); !strings.Contains(string(r.body), `"last_error_message":"file locked"`) {
		t.Errorf("a failed job reads %d %s", r.status, r.body)
	}
	if r := c.do("POST", "/v1/tree-delete/jobs/restart/"+jobs[0], nil, nil); r.status != http.StatusAccepted {
		t.Fatalf("restart: %d %s", r.status, r.body)
	}
	if got, _ := m.Get("/v1/tree-delete/jobs/" + jobs[0]); !strings.Contains(string(got), `"last_error_message":null`) {
		t.Errorf("a restarted job reads %s", got)
	}
	if err := m.FinishJob(jobs[0]); err != nil {
		t.Fatal(err)
	}
	if r := c.do("GET", "/v1/tree-delete/jobs/"+jobs[0], nil, nil); r.status != http.StatusNotFound {
		t.Errorf("a finished job answers %d", r.status)
	}
	if got := m.Files(); !slices.Equal(got, []string{"/"}) {
		t.Errorf("after the job: Files = %v", got)
	}
	if err := m.FinishJob(jobs[0]); err == nil {
		t.Error("finishing a finished job: no error")
	}

	// Unheld, on a stopped clock: peeks leave the job unseen.
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	m2, err := New(WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m2.MkdirAll("/gone"); err != nil {
		t.Fatal(err)
	}
	if _, err := m2.Seed(context.Background(), "POST", "/v1/tree-delete/jobs/", map[string]any{"id": "/gone"}); err != nil {
		t.Fatal(err)
	}
	id := m2.Jobs()[0]
	for range 3 {
		if _, err := m2.Get("/v1/tree-delete/jobs/" + id); err != nil {
			t.Fatalf("peek %v", err)
		}
	}
	if got, err := m2.Seed(context.Background(), "GET", "/v1/tree-delete/jobs/"+id, nil); err != nil {
		t.Fatalf("the first read of a client: %s, %v", got, err)
	}
	if _, err := m2.Get("/v1/tree-delete/jobs/" + id); err != nil {
		t.Fatalf("a peek after a client's read: %v", err)
	}
	if _, err := m2.Seed(context.Background(), "GET", "/v1/tree-delete/jobs/"+id, nil); !IsNotFound(err) {
		t.Errorf("the second read of a client: %v, want 404", err)
	}
}

// Reactions answer through every serving path: status and class once,
// one item only, a stall the client gives up on, a dropped connection.
func TestReactions(t *testing.T) {
	t.Parallel()
	c := setup(t)
	m := c.srv.Mock
	share := c.do("POST", "/v2/smb/shares/", map[string]any{"share_name": "s", "fs_path": "/", "description": "d"}, nil).json(t)
	id, _ := share["id"].(string)

	remove, err := m.React(Reaction{Method: "GET", Path: "/v2/smb/shares/{}", Item: id, Status: 503, Header: http.Header{"Retry-After": {"1"}}, Times: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer remove()
	if r := c.do("GET", "/v2/smb/shares/s", nil, nil); r.status != http.StatusOK {
		t.Errorf("another item (by name): %d", r.status)
	}
	r := c.do("GET", "/v2/smb/shares/"+id, nil, nil)
	wantError(t, r, http.StatusServiceUnavailable, "http_service_unavailable_error")
	if r.header.Get("Retry-After") != "1" {
		t.Errorf("Retry-After = %q", r.header.Get("Retry-After"))
	}
	if r := c.do("GET", "/v2/smb/shares/"+id, nil, nil); r.status != http.StatusOK {
		t.Errorf("after its one answer: %d", r.status)
	}

	// Always, until removed; through a plain httptest server too, without
	// a token: the reaction comes first.
	rm, err := m.React(Reaction{Method: "delete", Path: "/v2/smb/shares/{ref}/", Status: 409, Class: "smb_share_busy_error"})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(m)
	defer ts.Close()
	for range 2 {
		req, _ := http.NewRequest("DELETE", ts.URL+"/v2/smb/shares/"+id, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 409 || !strings.Contains(string(body), "smb_share_busy_error") {
			t.Errorf("DELETE through httptest: %d %s", resp.StatusCode, body)
		}
	}
	rm()
	rm()
	if r := c.do("DELETE", "/v2/smb/shares/"+id, nil, nil); r.status != http.StatusOK {
		t.Errorf("DELETE after removing the reaction: %d %s", r.status, r.body)
	}

	// A stall the client's deadline ends; a stall of a moment, then the
	// twin's answer.
	if _, err := m.React(Reaction{Method: "GET", Path: "/v1/version", Stall: StallForever, Times: 1}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", c.srv.URL+"/v1/version", nil)
	if resp, err := c.http.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		if err == nil {
			resp.Body.Close()
		}
		t.Errorf("a stalled request: err = %v, want the deadline", err)
	}
	if _, err := m.React(Reaction{Method: "GET", Path: "/v1/version", Stall: time.Millisecond, Times: 1}); err != nil {
		t.Fatal(err)
	}
	if r := c.do("GET", "/v1/version", nil, nil); r.status != http.StatusOK {
		t.Errorf("after a short stall: %d", r.status)
	}

	// A dropped connection, every time: net/http's transport retries a GET
	// once on a connection that closes before answering.
	drop, err := m.React(Reaction{Method: "GET", Path: "/v1/version", Drop: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.try("GET", "/v1/version", nil, nil); err == nil {
		t.Error("a dropped connection: no error")
	}
	drop()

	for _, bad := range []Reaction{
		{Method: "GET", Path: "/v2/smb/sharez/", Status: 500},
		{Method: "PUT", Path: "/v1/version", Status: 500},
		{Method: "GET", Path: "/v1/version", Status: 200},
		{Method: "GET", Path: "/v1/version"},
		{Method: "GET", Path: "/v1/version", Item: "x", Status: 500},
	} {
		if _, err := m.React(bad); err == nil {
			t.Errorf("React(%+v): no error", bad)
		}
	}
}

// The cache of blueprints holds a document weakly: once nothing else holds
// it, its entry goes, so a process that builds many documents (a contract
// run per test) does not keep them all.
func TestBlueprintGoesWithItsDocument(t *testing.T) {
	t.Parallel()
	key := func() weak.Pointer[openapi3.T] {
		doc := loadSpec(t, engineSpec)
		if _, err := New(WithSpec(doc)); err != nil {
			t.Fatal(err)
		}
		return weak.Make(doc)
	}()
	cached := func() bool {
		blueprints.Lock()
		defer blueprints.Unlock()
		return blueprints.m[key] != nil
	}
	for range 100 {
		if !cached() {
			return
		}
		runtime.GC()
		runtime.Gosched()
	}
	t.Error("the blueprint of a document nothing holds is still cached after 100 collections")
}
