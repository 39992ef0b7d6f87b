package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestSecretsNeverLeak drives every path that logs or builds an error —
// login, re-login after expiry, a KMS switch, servers that echo secrets back
// in JSON and non-JSON errors — and checks that neither the password, nor the
// private key, nor any token appears in any log line (captured at Debug) or
// error string.
func TestSecretsNeverLeak(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	var errs []error
	keep := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}

	_, err := e.c.KeyStore(ctx)
	keep(err)
	e.fake.expireTokens()
	cfg := KMSConfig{Hostname: "kms.example.com", KeyID: "key-1", ClientCert: "CERT", ClientPrivateKey: testPrivateKey}
	keep(e.c.UseKMSKeyStore(ctx, cfg))

	// The cluster echoes the whole request, private key and token included,
	// first in a Qumulo error, then in a proxy's text page, then as a stack.
	for i, mode := range []string{"json", "text", "stack"} {
		e.fake.setInject(func(w http.ResponseWriter, r *http.Request, n int) bool {
			if r.Method != http.MethodPut {
				return false
			}
			body, _ := io.ReadAll(r.Body)
			echo := fmt.Sprintf("request %s with Authorization: %s", body, r.Header.Get("Authorization"))
			switch mode {
			case "json":
				writeJSON(w, http.StatusBadRequest, qErr("api_bad_request", echo))
			case "text":
				w.WriteHeader(http.StatusBadGateway)
				_, _ = io.WriteString(w, echo+" password="+testPassword)
			case "stack":
				writeJSON(w, http.StatusInternalServerError, map[string]any{
					"module": "kms", "error_class": "kms_error", "description": "failed for " + testPassword,
					"stack": strings.Split(string(body), `\n`),
				})
			}
			return true
		})
		err := e.c.UseKMSKeyStore(ctx, cfg)
		if err == nil {
			t.Fatalf("mode %d: no error", i)
		}
		keep(err)
	}
	e.fake.setInject(nil)

	// A wrong password, echoed by the server.
	bad := setup(t, WithCredentials(testUser, "Wr0ng-"+testPassword))
	bad.fake.setInject(func(w http.ResponseWriter, r *http.Request, n int) bool {
		body, _ := io.ReadAll(r.Body)
		writeJSON(w, http.StatusUnauthorized, qErr("login_failed_error", "bad login "+string(body)))
		return true
	})
	_, err = bad.c.KeyStore(ctx)
	keep(err)

	// Formatting the config and the client, every way a program might.
	var shown []string
	for _, v := range []any{cfg, &cfg, e.c} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
			shown = append(shown, fmt.Sprintf(verb, v))
		}
	}
	j, _ := json.Marshal(cfg)
	shown = append(shown, string(j))
	e.c.log.Debug("config", "cfg", cfg, "password", testPassword)
	slog.New(slog.NewTextHandler(&sink{&shown}, nil)).Info("config", "cfg", cfg)

	e.fake.mu.Lock()
	tokens := append([]string(nil), e.fake.issued...)
	e.fake.mu.Unlock()
	bad.fake.mu.Lock()
	tokens = append(tokens, bad.fake.issued...)
	bad.fake.mu.Unlock()
	if len(tokens) < 2 {
		t.Fatalf("tokens issued = %d, want a login and a re-login", len(tokens))
	}
	secrets := append([]string{testPassword, testKeyMaterial, "Wr0ng-" + testPassword}, tokens...)

	haystacks := map[string]string{"log (client)": e.logs.String(), "log (bad login)": bad.logs.String()}
	for i, err := range errs {
		haystacks[fmt.Sprintf("error %d", i)] = err.Error()
	}
	for i, s := range shown {
		haystacks[fmt.Sprintf("formatted %d", i)] = s
	}
	for where, text := range haystacks {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("%s contains secret %q:\n%s", where, s, text)
			}
		}
	}
	// The raw response reachable from an error carries neither the token nor the body sent.
	for _, err := range errs {
		var apiErr *APIError
		if errors.As(err, &apiErr) && apiErr.Response != nil && apiErr.Response.Request != nil {
			r := apiErr.Response.Request
			if r.Header.Get("Authorization") != "" || (r.Body != nil && r.Body != http.NoBody) || r.GetBody != nil {
				t.Errorf("%v: Response.Request keeps the token or the body", err)
			}
		}
	}
	// The redaction must leave the errors useful.
	if !strings.Contains(errs[len(errs)-1].Error(), "login_failed_error") {
		t.Errorf("login error lost its class: %v", errs[len(errs)-1])
	}
	if !strings.Contains(e.logs.String(), `"status":400`) {
		t.Errorf("debug log lacks the request lines:\n%s", e.logs)
	}
}

type sink struct{ out *[]string }

func (s *sink) Write(p []byte) (int, error) { *s.out = append(*s.out, string(p)); return len(p), nil }

func TestSecretType(t *testing.T) {
	t.Parallel()
	s := secret("pw")
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		if got := fmt.Sprintf(verb, s); strings.Contains(got, "pw") {
			t.Errorf("Sprintf(%s) = %q", verb, got)
		}
	}
	if b, _ := json.Marshal(s); string(b) != `"[REDACTED]"` {
		t.Errorf("json = %s", b)
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 28, 14, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"0":                                0,
		"3":                                3 * time.Second,
		" 120 ":                            2 * time.Minute,
		"Sat, 28 Nov 2026 14:00:10 GMT":    10 * time.Second,
		"Sat, 28 Nov 2026 13:00:00 GMT":    0,
		"Saturday, 28-Nov-26 14:00:05 GMT": 5 * time.Second,
	} {
		got, ok := parseRetryAfter(in, now)
		if !ok || got != want {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "-1", "soon", "1.5"} {
		if _, ok := parseRetryAfter(in, now); ok {
			t.Errorf("parseRetryAfter(%q) ok, want not", in)
		}
	}
}

func TestBackoffBounds(t *testing.T) {
	t.Parallel()
	p := RetryPolicy{MinBackoff: 100 * time.Millisecond, MaxBackoff: time.Second}.withDefaults()
	for n := 1; n <= 10; n++ {
		base := 100 * time.Millisecond << (n - 1)
		if base > time.Second {
			base = time.Second
		}
		for range 50 {
			if d := p.backoff(n); d < base/2 || d > base {
				t.Fatalf("backoff(%d) = %v, want in [%v, %v]", n, d, base/2, base)
			}
		}
	}
	if p.MaxAttempts != DefaultRetryPolicy().MaxAttempts || p.MaxElapsed != DefaultRetryPolicy().MaxElapsed {
		t.Errorf("zero fields not defaulted: %+v", p)
	}
}

func TestIdempotent(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		method, ifMatch string
		want            bool
	}{
		{"GET", "", true}, {"HEAD", "", true}, {"PUT", "", true}, {"DELETE", "", true},
		{"POST", "", false}, {"POST", `"1"`, false}, {"PATCH", "", false}, {"PATCH", `"1"`, true},
	} {
		req, _ := http.NewRequest(tc.method, "http://x/", nil)
		if tc.ifMatch != "" {
			req.Header.Set("If-Match", tc.ifMatch)
		}
		if got := idempotent(req); got != tc.want {
			t.Errorf("idempotent(%s, If-Match %q) = %v", tc.method, tc.ifMatch, got)
		}
	}
}
