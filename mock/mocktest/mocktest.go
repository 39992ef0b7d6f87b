// Package mocktest is the test kit of the twin (package mock): New gives a
// test a fresh twin of a cluster on loopback with a logged-in
// *client.Client that trusts it, and helpers that seed it, look at it and
// make it fail without going through the API under test. Everything stops
// when the test ends. It keeps the testing package out of programs that
// serve the mock.
//
//	func TestShares(t *testing.T) {
//		t.Parallel()
//		tw := mocktest.New(t, mock.WithTLS())
//		tw.MkdirAll("/projects")
//		tw.React(mock.Reaction{Method: "GET", Path: "/v3/smb/shares/{}", Item: "projects", Status: 503})
//		_, err := tw.Client.SMB.GetShare(ctx, "projects")
//		...
//	}
//
// Twins share nothing but what they read from their document, so tests
// that each start one may run in parallel.
package mocktest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/qapitools/qapi/client"
	"github.com/qapitools/qapi/mock"
)

// NewServer starts a mock on an ephemeral loopback port for a test and
// stops it when the test ends. It fails the test when the mock cannot start.
func NewServer(t testing.TB, opts ...mock.Option) *mock.Server {
	t.Helper()
	s, err := mock.Start(append([]mock.Option{mock.WithAddr("127.0.0.1:0")}, opts...)...)
	if err != nil {
		t.Fatalf("start mock: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("stop mock: %v", err)
		}
	})
	return s
}

// Twin is a fresh twin of a cluster for one test.
type Twin struct {
	// Mock is the twin itself, for what the helpers below do not cover.
	Mock *mock.Mock
	// Server serves it; URL is its base URL, https:// with mock.WithTLS.
	Server *mock.Server
	URL    string
	// Client is logged in as the twin's admin (mock.WithCredentials) and
	// trusts its certificate.
	Client *client.Client

	t  testing.TB
	hc *http.Client
}

// New starts a fresh twin for a test with the given options (mock.WithTLS,
// mock.WithClock, mock.WithHeldJobs, mock.WithFault, …) and logs a client
// in to it. The twin and its connections go when the test ends; New fails
// the test when the twin cannot start or the login fails.
func New(t testing.TB, opts ...mock.Option) *Twin {
	t.Helper()
	srv := NewServer(t, opts...)
	tw := &Twin{Mock: srv.Mock, Server: srv, URL: srv.URL, t: t, hc: httpClient(srv.CertPEM)}
	// Before the server's cleanup: a connection dialed but never used
	// would look busy to its shutdown.
	t.Cleanup(tw.hc.CloseIdleConnections)
	tw.Client = tw.NewClient()
	return tw
}

// httpClient sends to the twin, trusting its certificate when it has one.
func httpClient(certPEM []byte) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if certPEM != nil {
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(certPEM)
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Transport: tr}
}

// NewClient logs in another client to the twin, as the admin, with opts
// after the twin's own (client.WithRetry, client.WithLogger, or
// client.WithCredentials for a user the test created). It sends through a
// transport that trusts the twin, so it takes no TLS options.
func (tw *Twin) NewClient(opts ...client.Option) *client.Client {
	tw.t.Helper()
	user, password := tw.Mock.Credentials()
	c, err := client.New(tw.URL, append([]client.Option{client.WithCredentials(user, password), client.WithHTTPClient(tw.hc)}, opts...)...)
	if err != nil {
		tw.t.Fatalf("mocktest: client: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.Login(ctx); err != nil {
		tw.t.Fatalf("mocktest: log in to the twin: %v", err)
	}
	return c
}

// Seed sends one request straight to the twin, as its admin, past
// reactions and faults (mock.Mock.Seed), and answers the answer's body:
// items by path before the test runs, such as
//
//	tw.Seed("POST", "/v2/smb/shares/", map[string]any{"share_name": "projects", "fs_path": "/projects"})
//
// It fails the test on an answer other than 2xx.
func (tw *Twin) Seed(method, path string, body any) []byte {
	tw.t.Helper()
	out, err := tw.Mock.Seed(context.Background(), method, path, body)
	if err != nil {
		tw.t.Fatalf("mocktest: seed: %v", err)
	}
	return out
}

// Get answers what GET path answers now, without changing anything a
// client's read would (mock.Mock.Get); it fails the test when the twin
// answers an error, such as 404 for a path that names nothing (see Exists).
func (tw *Twin) Get(path string) []byte {
	tw.t.Helper()
	out, err := tw.Mock.Get(path)
	if err != nil {
		tw.t.Fatalf("mocktest: get: %v", err)
	}
	return out
}

// GetJSON decodes what Get answers into v.
func (tw *Twin) GetJSON(path string, v any) {
	tw.t.Helper()
	if err := json.Unmarshal(tw.Get(path), v); err != nil {
		tw.t.Fatalf("mocktest: get %s: %v", path, err)
	}
}

// Exists tells whether GET path answers 2xx now, false for 404; another
// error fails the test.
func (tw *Twin) Exists(path string) bool {
	tw.t.Helper()
	_, err := tw.Mock.Get(path)
	if mock.IsNotFound(err) {
		return false
	}
	if err != nil {
		tw.t.Fatalf("mocktest: get: %v", err)
	}
	return true
}

// MkdirAll makes the directory at path and its missing parents, and
// answers its file id.
func (tw *Twin) MkdirAll(path string) string {
	tw.t.Helper()
	id, err := tw.Mock.MkdirAll(path)
	if err != nil {
		tw.t.Fatalf("mocktest: %v", err)
	}
	return id
}

// WriteFile makes or replaces the file at path, with any missing
// directories above it, and answers its file id.
func (tw *Twin) WriteFile(path string, data []byte) string {
	tw.t.Helper()
	id, err := tw.Mock.WriteFile(path, data)
	if err != nil {
		tw.t.Fatalf("mocktest: %v", err)
	}
	return id
}

// ReadFile answers the contents of the file at path.
func (tw *Twin) ReadFile(path string) []byte {
	tw.t.Helper()
	data, err := tw.Mock.ReadFile(path)
	if err != nil {
		tw.t.Fatalf("mocktest: %v", err)
	}
	return data
}

// Files lists every path of the twin's file system (mock.Mock.Files).
func (tw *Twin) Files() []string { return tw.Mock.Files() }

// React makes one operation answer as r says (mock.Reaction) until the
// returned function removes it, or the test ends.
func (tw *Twin) React(r mock.Reaction) (remove func()) {
	tw.t.Helper()
	remove, err := tw.Mock.React(r)
	if err != nil {
		tw.t.Fatalf("mocktest: %v", err)
	}
	tw.t.Cleanup(remove)
	return remove
}

// FinishJob finishes a running tree-delete job now (mock.Mock.FinishJob).
func (tw *Twin) FinishJob(id string) {
	tw.t.Helper()
	if err := tw.Mock.FinishJob(id); err != nil {
		tw.t.Fatalf("mocktest: %v", err)
	}
}

// FailJob makes a running tree-delete job stop with message as its error
// (mock.Mock.FailJob).
func (tw *Twin) FailJob(id, message string) {
	tw.t.Helper()
	if err := tw.Mock.FailJob(id, message); err != nil {
		tw.t.Fatalf("mocktest: %v", err)
	}
}

// Clock is a clock a test moves by hand; pass its Now to mock.WithClock.
// It is safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock is a clock stopped at start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now answers the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Set puts the clock at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}
