package client

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qapitools/qapi/gen"
)

func TestNewBaseURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"qumulo.example.com":            "https://qumulo.example.com:8000",
		"qumulo.example.com:9000":       "https://qumulo.example.com:9000",
		"https://qumulo.example.com":    "https://qumulo.example.com:8000",
		"https://qumulo.example.com/":   "https://qumulo.example.com:8000",
		"http://127.0.0.1":              "http://127.0.0.1:8000",
		"https://10.0.0.1:8443/prefix/": "https://10.0.0.1:8443/prefix",
		"[::1]":                         "https://[::1]:8000",
	} {
		c, err := New(in)
		if err != nil {
			t.Errorf("New(%q): %v", in, err)
			continue
		}
		if got := c.BaseURL(); got != want {
			t.Errorf("New(%q).BaseURL() = %q, want %q", in, got, want)
		}
	}
	for _, in := range []string{"", "ftp://host", "https://user:pw@host", "https://"} {
		if _, err := New(in); err == nil {
			t.Errorf("New(%q) succeeded, want an error", in)
		}
	}
}

func TestNewOptionConflicts(t *testing.T) {
	t.Parallel()
	pemBytes := testCertPEM(t, httptest.NewUnstartedServer(http.NotFoundHandler()))
	for name, opts := range map[string][]Option{
		"insecure and CA":      {WithInsecureSkipVerify(), WithCABundle(pemBytes)},
		"http client and CA":   {WithHTTPClient(&http.Client{}), WithCABundle(pemBytes)},
		"http client insecure": {WithHTTPClient(&http.Client{}), WithInsecureSkipVerify()},
		"bad PEM":              {WithCABundle([]byte("not a certificate"))},
		"missing CA file":      {WithCAFile(filepath.Join(t.TempDir(), "nope.pem"))},
		"empty user":           {WithCredentials("", "x")},
		"empty token":          {WithToken("")},
		"negative timeout":     {WithTimeout(-time.Second)},
		"nil logger":           {WithLogger(nil)},
		"nil http client":      {WithHTTPClient(nil)},
	} {
		if _, err := New("cluster", opts...); err == nil {
			t.Errorf("%s: New succeeded, want an error", name)
		}
	}
}

func TestOwnTransportTLS12(t *testing.T) {
	t.Parallel()
	c, err := New("cluster")
	if err != nil {
		t.Fatal(err)
	}
	tr, ok := c.send.Transport.(*http.Transport)
	if !ok || tr == http.DefaultTransport {
		t.Fatalf("transport is %T (default: %v), want an *http.Transport of its own", c.send.Transport, c.send.Transport == http.DefaultTransport)
	}
	if tr.TLSClientConfig == nil || tr.TLSClientConfig.MinVersion < tls.VersionTLS12 || tr.TLSClientConfig.InsecureSkipVerify {
		t.Errorf("TLS config = %+v, want MinVersion >= TLS 1.2 and verification on", tr.TLSClientConfig)
	}
}

func TestLoginOnFirstUse(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	for range 3 {
		if _, err := e.c.KeyStore(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.fake.loginCount(); n != 1 {
		t.Errorf("logins = %d, want 1", n)
	}
	for _, r := range e.fake.seen() {
		if r.Path == "/v1/session/login" {
			if r.Auth != "" {
				t.Errorf("login carried Authorization %q", r.Auth)
			}
			continue
		}
		if !strings.HasPrefix(r.Auth, "Bearer session-v1:") {
			t.Errorf("%s %s: Authorization = %q, want a bearer session token", r.Method, r.Path, r.Auth)
		}
		if r.UserAgent != DefaultUserAgent {
			t.Errorf("User-Agent = %q", r.UserAgent)
		}
	}
}

func TestUserAgentOption(t *testing.T) {
	t.Parallel()
	e := setup(t, WithUserAgent("robot/1.0"))
	if _, err := e.c.KeyStore(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, r := range e.fake.seen() {
		if r.UserAgent != "robot/1.0" {
			t.Errorf("%s %s: User-Agent = %q", r.Method, r.Path, r.UserAgent)
		}
	}
}

func TestReloginOn401ReplaysBody(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	if err := e.c.Login(ctx); err != nil {
		t.Fatal(err)
	}
	e.fake.expireTokens() // ten hours later…
	cfg := KMSConfig{Hostname: "kms.example.com", KeyID: "key-1", ClientPrivateKey: testPrivateKey}
	if err := e.c.UseKMSKeyStore(ctx, cfg); err != nil {
		t.Fatalf("UseKMSKeyStore after expiry: %v", err)
	}
	if n := e.fake.loginCount(); n != 2 {
		t.Errorf("logins = %d, want 2 (first use, then after the 401)", n)
	}
	var puts []seenRequest
	for _, r := range e.fake.seen() {
		if r.Method == http.MethodPut {
			puts = append(puts, r)
		}
	}
	if len(puts) != 2 {
		t.Fatalf("PUTs = %d, want 2 (refused, replayed)", len(puts))
	}
	if string(puts[0].Body) != string(puts[1].Body) || len(puts[1].Body) == 0 {
		t.Errorf("replayed body differs:\n first %s\nreplay %s", puts[0].Body, puts[1].Body)
	}
	if puts[0].Auth == puts[1].Auth {
		t.Errorf("replay used the refused token")
	}
}

func TestReloginOnlyOnce(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.fake.setInject(func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.Method == http.MethodGet {
			writeJSON(w, http.StatusUnauthorized, qErr("authentication_error", "nope"))
			return true
		}
		return false
	})
	_, err := e.c.KeyStore(context.Background())
	if !IsUnauthorized(err) {
		t.Fatalf("err = %v, want unauthorized", err)
	}
	if n := e.fake.loginCount(); n != 2 {
		t.Errorf("logins = %d, want 2 (first use and one re-login)", n)
	}
	if n := e.fake.count(http.MethodGet, "/v2/encryption/key-store"); n != 2 {
		t.Errorf("GETs = %d, want 2", n)
	}
}

func TestConcurrentCallersShareOneLogin(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.fake.mu.Lock()
	e.fake.loginDelay = 50 * time.Millisecond
	e.fake.mu.Unlock()
	ctx := context.Background()
	run := func() {
		var wg sync.WaitGroup
		errs := make(chan error, 20)
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := e.c.KeyStore(ctx)
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
	}
	run()
	if n := e.fake.loginCount(); n != 1 {
		t.Errorf("after first burst: logins = %d, want 1", n)
	}
	e.fake.expireTokens()
	run()
	if n := e.fake.loginCount(); n != 2 {
		t.Errorf("after expiry burst: logins = %d, want 2", n)
	}
}

func TestCancelledWaiterDoesNotFailOthers(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.fake.mu.Lock()
	e.fake.loginDelay = 100 * time.Millisecond
	e.fake.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := e.c.KeyStore(ctx); done <- err }()
	time.Sleep(20 * time.Millisecond)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled caller: err = %v, want context.Canceled", err)
	}
	if _, err := e.c.KeyStore(context.Background()); err != nil {
		t.Errorf("other caller: %v", err)
	}
	if n := e.fake.loginCount(); n != 1 {
		t.Errorf("logins = %d, want 1 (the cancelled caller's login carried on)", n)
	}
}

func TestWithTokenDoesNotLogIn(t *testing.T) {
	t.Parallel()
	fake := newFakeCluster()
	fake.tokens["access-v1:long-lived"] = true
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	c, err := New(srv.URL, WithToken("access-v1:long-lived"), WithRetry(fastRetry))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.KeyStore(context.Background()); err != nil {
		t.Fatal(err)
	}
	fake.expireTokens()
	_, err = c.KeyStore(context.Background())
	if !IsUnauthorized(err) {
		t.Errorf("refused access token: err = %v, want unauthorized", err)
	}
	if fake.loginCount() != 0 {
		t.Errorf("logins = %d, want 0", fake.loginCount())
	}
}

func TestLoginFailure(t *testing.T) {
	t.Parallel()
	e := setup(t, WithCredentials(testUser, "wrong-password"))
	_, err := e.c.KeyStore(context.Background())
	if !IsUnauthorized(err) {
		t.Fatalf("err = %v, want unauthorized", err)
	}
	if !strings.Contains(err.Error(), `log in as "admin"`) || !strings.Contains(err.Error(), "login_failed_error") {
		t.Errorf("err = %q, want it to name the login and the error class", err)
	}
	if strings.Contains(err.Error(), "wrong-password") {
		t.Errorf("err leaks the password: %q", err)
	}
}

// recordSleeps replaces the client's waits with a recorder that does not wait.
func recordSleeps(c *Client) func() []time.Duration {
	var mu sync.Mutex
	var waits []time.Duration
	c.sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		waits = append(waits, d)
		mu.Unlock()
		return ctx.Err()
	}
	return func() []time.Duration {
		mu.Lock()
		defer mu.Unlock()
		return append([]time.Duration(nil), waits...)
	}
}

// The client waits as long as a 503's Retry-After says, in seconds or as an
// HTTP date.
func TestRetry503HonoursRetryAfter(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		retryAfter func() string
		min, max   time.Duration
	}{
		{"seconds", func() string { return "7" }, 7 * time.Second, 7 * time.Second},
		// An HTTP date has one-second resolution.
		{"date", func() string { return time.Now().Add(5 * time.Second).UTC().Format(http.TimeFormat) }, 3 * time.Second, 6 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t)
			waits := recordSleeps(e.c)
			e.fake.setInject(func(w http.ResponseWriter, r *http.Request, n int) bool {
				if r.Method == http.MethodGet && n == 1 {
					w.Header().Set("Retry-After", tc.retryAfter())
					w.WriteHeader(http.StatusServiceUnavailable)
					return true
				}
				return false
			})
			if _, err := e.c.KeyStore(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := waits(); len(got) != 1 || got[0] < tc.min || got[0] > tc.max {
				t.Errorf("waits = %v, want one in [%v, %v]", got, tc.min, tc.max)
			}
		})
	}
}

func TestRetryAfterReallyWaits(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.fake.setInject(func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.Method == http.MethodGet && n == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			return true
		}
		return false
	})
	start := time.Now()
	if _, err := e.c.KeyStore(context.Background()); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("returned after %v, before Retry-After: 1 elapsed", d)
	}
}

func TestRetry429(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.fake.setInject(func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.Method == http.MethodGet && n <= 2 {
			writeJSON(w, http.StatusTooManyRequests, qErr("rate_limited", "slow down"))
			return true
		}
		return false
	})
	if _, err := e.c.KeyStore(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := e.fake.count(http.MethodGet, "/v2/encryption/key-store"); n != 3 {
		t.Errorf("GETs = %d, want 3", n)
	}
	var retries int
	for _, l := range e.logs.lines(t) {
		if l["msg"] == "qapi retry" {
			retries++
		}
	}
	if retries != 2 {
		t.Errorf("retry log lines = %d, want 2", retries)
	}
}

func TestPOSTNeverRetried(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.fake.setInject(func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.URL.Path == "/v1/things" || r.URL.Path == "/v1/session/login" {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
			return true
		}
		return false
	})
	// A POST through Do.
	req, _ := http.NewRequest(http.MethodPost, e.c.BaseURL()+"/v1/things", strings.NewReader(`{}`))
	req.Header.Set("If-Match", `"1"`) // even with If-Match
	resp, err := e.c.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	// The login is a POST too: it fails once, without a retry.
	if n := e.fake.count(http.MethodPost, "/v1/session/login"); n != 1 {
		t.Errorf("login POSTs = %d, want 1", n)
	}
	if err == nil {
		t.Errorf("POST with failed login: got status %d, want the login error", resp.StatusCode)
	}
	// Now without authentication in the way.
	c, _ := New(e.srv.URL, WithRetry(fastRetry))
	req, _ = http.NewRequest(http.MethodPost, c.BaseURL()+"/v1/things", strings.NewReader(`{}`))
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("status = %d, want 503 handed back", resp.StatusCode)
	}
	if n := e.fake.count(http.MethodPost, "/v1/things"); n != 1 {
		t.Errorf("POSTs = %d, want 1 (the first call stopped at its failed login; the second was not retried)", n)
	}
}

func TestPATCHRetriedOnlyWithIfMatch(t *testing.T) {
	t.Parallel()
	fake := newFakeCluster()
	fake.inject = func(w http.ResponseWriter, r *http.Request, n int) bool {
		w.WriteHeader(http.StatusBadGateway)
		return true
	}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	c, err := New(srv.URL, WithRetry(fastRetry))
	if err != nil {
		t.Fatal(err)
	}
	send := func(path, ifMatch string) {
		req, _ := http.NewRequest(http.MethodPatch, c.BaseURL()+path, strings.NewReader(`{"a":1}`))
		if ifMatch != "" {
			req.Header.Set("If-Match", ifMatch)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	send("/plain", "")
	send("/guarded", `"3"`)
	if n := fake.count(http.MethodPatch, "/plain"); n != 1 {
		t.Errorf("PATCH without If-Match: %d attempts, want 1", n)
	}
	if n := fake.count(http.MethodPatch, "/guarded"); n != fastRetry.MaxAttempts {
		t.Errorf("PATCH with If-Match: %d attempts, want %d", n, fastRetry.MaxAttempts)
	}
}

// A 503 that persists is handed back as an *APIError: after MaxAttempts, or
// at once when its Retry-After is beyond the time budget.
func TestPersistent503HandedBack(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		retryAfter string
		attempts   int
	}{
		{"attempts bounded", "", fastRetry.MaxAttempts},
		{"Retry-After beyond the budget", "3600", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t)
			e.fake.setInject(func(w http.ResponseWriter, r *http.Request, n int) bool {
				if r.Method == http.MethodGet {
					if tc.retryAfter != "" {
						w.Header().Set("Retry-After", tc.retryAfter)
					}
					writeJSON(w, http.StatusServiceUnavailable, qErr("unavailable", "try later"))
					return true
				}
				return false
			})
			start := time.Now()
			_, err := e.c.KeyStore(context.Background())
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusServiceUnavailable {
				t.Fatalf("err = %v, want a 503 APIError", err)
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("took %v, want an answer without waiting out Retry-After", d)
			}
			if n := e.fake.count(http.MethodGet, "/v2/encryption/key-store"); n != tc.attempts {
				t.Errorf("GETs = %d, want %d", n, tc.attempts)
			}
		})
	}
}

func TestTransportErrorsRetriedForIdempotentOnly(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	hits := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.Method]++
		mu.Unlock()
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close() // no answer at all
		}
	}))
	t.Cleanup(srv.Close)
	c, err := New(srv.URL, WithRetry(fastRetry))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.KeyStore(context.Background())
	if err == nil || !strings.Contains(err.Error(), "after 3 attempts") {
		t.Errorf("GET: err = %v, want a transport error after 3 attempts", err)
	}
	req, _ := http.NewRequest(http.MethodPost, c.BaseURL()+"/v1/things", strings.NewReader("{}"))
	if _, err := c.Do(req); err == nil {
		t.Error("POST: no error")
	}
	mu.Lock()
	defer mu.Unlock()
	if hits["GET"] != 3 || hits["POST"] != 1 {
		t.Errorf("hits = %v, want GET 3 and POST 1", hits)
	}
}

func TestContextCancelledDuringBackoff(t *testing.T) {
	t.Parallel()
	e := setup(t, WithRetry(RetryPolicy{MaxAttempts: 5, MaxElapsed: time.Minute}))
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	e.fake.setInject(func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.Method == http.MethodGet {
			w.Header().Set("Retry-After", "10") // within the 20s call timeout of setup
			w.WriteHeader(http.StatusServiceUnavailable)
			time.AfterFunc(50*time.Millisecond, cancel)
			return true
		}
		return false
	})
	start := time.Now()
	_, err := e.c.KeyStore(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("returned after %v; the 10s wait did not end with the context", d)
	}
}

func TestWithTimeoutBoundsTheCall(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	c, err := New(srv.URL, WithTimeout(100*time.Millisecond), WithRetry(fastRetry))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = c.KeyStore(context.Background())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("returned after %v", d)
	}
}

func TestDoIsAuthenticatedAndRetried(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.fake.setInject(func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.Method == http.MethodGet && n == 1 {
			w.WriteHeader(http.StatusBadGateway)
			return true
		}
		return false
	})
	req, err := gen.NewGetEncryptionKeyStoreRequest(e.c.BaseURL())
	if err != nil {
		t.Fatal(err)
	}
	r, err := e.c.Do(req.WithContext(t.Context()))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	if err := e.c.CheckResponse(r, nil); err != nil {
		t.Fatal(err)
	}
	var ks gen.EncryptionV2KeyStoreResponseUnion
	if err := json.NewDecoder(r.Body).Decode(&ks); err != nil {
		t.Fatal(err)
	}
	if _, err := ks.ValueByDiscriminator(); err != nil {
		t.Errorf("answer: %v", err)
	}
	if got := r.Header.Get("ETag"); got == "" {
		t.Error("no ETag on the answer")
	}
	if auth := r.Request.Header.Get("Authorization"); auth != "" {
		t.Errorf("resp.Request carries the token: %q", auth)
	}
}

// testCertPEM starts srv with TLS and returns its certificate as PEM.
func testCertPEM(t *testing.T, srv *httptest.Server) []byte {
	t.Helper()
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // handshake failures are the point
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
}

// The cluster's self-signed certificate is trusted when given as PEM or as a file.
func TestTLSWithGivenCA(t *testing.T) {
	t.Parallel()
	fake := newFakeCluster()
	srv := httptest.NewUnstartedServer(fake)
	certPEM := testCertPEM(t, srv)

	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	for name, trust := range map[string]Option{"CA bundle": WithCABundle(certPEM), "CA file": WithCAFile(path)} {
		c, err := New(srv.URL, WithCredentials(testUser, testPassword), trust)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.KeyStore(context.Background()); err != nil {
			t.Errorf("with %s: %v", name, err)
		}
	}
}

func TestTLSWithoutCAFailsWithAdvice(t *testing.T) {
	t.Parallel()
	srv := httptest.NewUnstartedServer(newFakeCluster())
	testCertPEM(t, srv)
	c, err := New(srv.URL, WithCredentials(testUser, testPassword), WithRetry(fastRetry))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.KeyStore(context.Background())
	if err == nil {
		t.Fatal("untrusted certificate accepted")
	}
	msg := err.Error()
	for _, want := range []string{"not trusted", "WithCAFile", "WithInsecureSkipVerify", "x509"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not mention %q", msg, want)
		}
	}
	if strings.Contains(msg, "attempts") {
		t.Errorf("certificate failure was retried: %q", msg)
	}
	if !isCertError(err) {
		t.Errorf("errors.As cannot reach the x509 cause of %v", err)
	}
}

func TestInsecureSkipVerifyWarnsOnce(t *testing.T) {
	t.Parallel()
	fake := newFakeCluster()
	srv := httptest.NewUnstartedServer(fake)
	testCertPEM(t, srv)
	logs := &logBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := New(srv.URL, WithCredentials(testUser, testPassword), WithInsecureSkipVerify(), WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := c.KeyStore(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	var warns int
	for _, l := range logs.lines(t) {
		if l["level"] == "WARN" {
			warns++
			if !strings.Contains(l["msg"].(string), "WithInsecureSkipVerify") {
				t.Errorf("warning does not name the option: %v", l["msg"])
			}
		}
	}
	if warns != 1 {
		t.Errorf("warnings = %d, want exactly 1", warns)
	}
}

func TestDebugLogLines(t *testing.T) {
	t.Parallel()
	e := setup(t)
	if _, err := e.c.KeyStore(context.Background()); err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, l := range e.logs.lines(t) {
		if l["msg"] == "qapi request" && l["path"] == "/v2/encryption/key-store" {
			found = true
			for _, k := range []string{"method", "status", "duration", "attempt"} {
				if _, ok := l[k]; !ok {
					t.Errorf("log line lacks %q: %v", k, l)
				}
			}
		}
	}
	if !found {
		t.Errorf("no request line for the key store in:\n%s", e.logs)
	}
}

func TestDoBuffersBodyWithoutGetBody(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.fake.setInject(func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.URL.Path == "/v1/echo" {
			if n == 1 {
				w.WriteHeader(http.StatusServiceUnavailable)
				return true
			}
			b, _ := io.ReadAll(r.Body)
			_, _ = w.Write(b)
			return true
		}
		return false
	})
	// io.MultiReader hides the length, so http.NewRequest sets no GetBody.
	req, _ := http.NewRequest(http.MethodPut, e.c.BaseURL()+"/v1/echo", io.MultiReader(strings.NewReader("payload")))
	if req.GetBody != nil {
		t.Fatal("test needs a request without GetBody")
	}
	resp, err := e.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if string(b) != "payload" {
		t.Errorf("replayed body = %q, want %q", b, "payload")
	}
}

func TestNoAuthWithoutCredentials(t *testing.T) {
	t.Parallel()
	var auth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		_, _ = w.Write([]byte(`{"revision_id":"7.0"}`))
	}))
	t.Cleanup(srv.Close)
	c, err := New(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, c.BaseURL()+"/v1/version", nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if auth != "" {
		t.Errorf("Authorization = %q, want none", auth)
	}
}
