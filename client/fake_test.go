package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testUser     = "admin"
	testPassword = "hunter2-Pa55word"
)

// fakeCluster is a small stateful stand-in for a Qumulo cluster: login,
// bearer tokens that can be expired, and the key store with ETags.
type fakeCluster struct {
	mu         sync.Mutex
	tokens     map[string]bool
	issued     []string
	logins     int
	loginDelay time.Duration
	store      map[string]any
	etag       int
	requests   []seenRequest
	puts       [][]byte

	// inject, when set, may answer a request itself (returning true) before
	// the normal handling; n counts requests with the same method and path.
	inject func(w http.ResponseWriter, r *http.Request, n int) bool
	counts map[string]int
}

type seenRequest struct {
	Method, Path, Auth, IfMatch, UserAgent string
	Body                                   []byte
}

func newFakeCluster() *fakeCluster {
	return &fakeCluster{
		tokens: map[string]bool{},
		store:  map[string]any{"type": "Local", "local_store": map[string]any{"status": "Not Encrypted"}},
		etag:   1,
		counts: map[string]int{},
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func qErr(class, desc string) map[string]any {
	return map[string]any{"module": "test", "error_class": class, "description": desc, "stack": []string{"frame 1", "frame 2"}, "user_visible": true}
}

func (f *fakeCluster) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.requests = append(f.requests, seenRequest{r.Method, r.URL.Path, r.Header.Get("Authorization"), r.Header.Get("If-Match"), r.Header.Get("User-Agent"), body})
	key := r.Method + " " + r.URL.Path
	f.counts[key]++
	n := f.counts[key]
	inject := f.inject
	f.mu.Unlock()
	r.Body = io.NopCloser(bytes.NewReader(body))
	if inject != nil && inject(w, r, n) {
		return
	}

	if r.Method == http.MethodPost && r.URL.Path == "/v1/session/login" {
		f.login(w, body)
		return
	}
	f.mu.Lock()
	ok := f.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
	f.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusUnauthorized, qErr("authentication_error", "session expired"))
		return
	}
	switch {
	case r.URL.Path == "/v2/encryption/key-store" && r.Method == http.MethodGet:
		f.mu.Lock()
		store, etag := f.store, f.etag
		f.mu.Unlock()
		w.Header().Set("ETag", strconv.Quote(strconv.Itoa(etag)))
		writeJSON(w, http.StatusOK, store)
	case r.URL.Path == "/v2/encryption/key-store" && r.Method == http.MethodPut:
		f.putKeyStore(w, r, body)
	default:
		writeJSON(w, http.StatusNotFound, qErr("api_no_such_endpoint", "no such endpoint: "+r.URL.Path))
	}
}

func (f *fakeCluster) login(w http.ResponseWriter, body []byte) {
	var l struct{ Username, Password string }
	if err := json.Unmarshal(body, &l); err != nil || l.Username != testUser || l.Password != testPassword {
		writeJSON(w, http.StatusUnauthorized, qErr("login_failed_error", "invalid user name or password"))
		return
	}
	f.mu.Lock()
	delay := f.loginDelay
	f.mu.Unlock()
	if delay > 0 {
		time.Sleep(delay) // keep the login in flight so concurrent callers overlap
	}
	f.mu.Lock()
	f.logins++
	tok := fmt.Sprintf("session-v1:tok%d-%d", f.logins, time.Now().UnixNano())
	f.tokens[tok] = true
	f.issued = append(f.issued, tok)
	f.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"bearer_token": tok})
}

func (f *fakeCluster) putKeyStore(w http.ResponseWriter, r *http.Request, body []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if im := r.Header.Get("If-Match"); im != "" && im != strconv.Quote(strconv.Itoa(f.etag)) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusPreconditionFailed)
		_ = json.NewEncoder(w).Encode(qErr("http_precondition_failed_error", "If-Match does not match"))
		return
	}
	var in struct {
		Type     string         `json:"type"`
		KMSStore map[string]any `json:"kms_store"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	f.puts = append(f.puts, body)
	switch in.Type {
	case "Local":
		f.store = map[string]any{"type": "Local", "local_store": map[string]any{"status": "Encrypted"}}
	case "KMS":
		f.store = map[string]any{"type": "KMS", "kms_store": map[string]any{
			"hostname": in.KMSStore["hostname"], "port": in.KMSStore["port"], "key_id": in.KMSStore["key_id"],
			"config_creation_time": "2026-11-28T14:00:00.5Z",
		}}
	default:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(qErr("api_bad_request", "unknown type "+in.Type))
		return
	}
	f.etag++
	w.WriteHeader(http.StatusOK)
}

// expireTokens makes the cluster refuse every token issued so far.
func (f *fakeCluster) expireTokens() {
	f.mu.Lock()
	f.tokens = map[string]bool{}
	f.mu.Unlock()
}

func (f *fakeCluster) setInject(fn func(w http.ResponseWriter, r *http.Request, n int) bool) {
	f.mu.Lock()
	f.inject = fn
	f.mu.Unlock()
}

func (f *fakeCluster) loginCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.logins
}

// count returns how many requests had this method and path.
func (f *fakeCluster) count(method, path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts[method+" "+path]
}

func (f *fakeCluster) seen() []seenRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seenRequest(nil), f.requests...)
}

// logBuffer collects log output from concurrent goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// lines returns the decoded JSON log records.
func (b *logBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", l)
		}
		out = append(out, m)
	}
	return out
}

// fastRetry keeps retry tests quick while exercising the same code.
var fastRetry = RetryPolicy{MaxAttempts: 3, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, MaxElapsed: 10 * time.Second}

type env struct {
	c    *Client
	fake *fakeCluster
	srv  *httptest.Server
	logs *logBuffer
}

// setup starts a fake cluster on loopback and a client logged in to it as
// testUser, logging at Debug into env.logs. Extra options come last and win.
func setup(t *testing.T, opts ...Option) *env {
	t.Helper()
	fake := newFakeCluster()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	logs := &logBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	all := append([]Option{
		WithCredentials(testUser, testPassword),
		WithLogger(logger),
		WithRetry(fastRetry),
		WithTimeout(20 * time.Second),
	}, opts...)
	c, err := New(srv.URL, all...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return &env{c: c, fake: fake, srv: srv, logs: logs}
}
