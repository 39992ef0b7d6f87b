package client

// Regression tests for issue 10: what a hostile answer can make the client
// send elsewhere, or hold; for issue 21: what its text does to a terminal.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// A redirect, to another port of the same host or to another host, is not
// followed: neither the token, nor the request body with its private key,
// nor the password of a login reaches the place it points to.
func TestHostileRedirectNotFollowed(t *testing.T) {
	t.Parallel()
	const (
		password = "redirect-pass-123"
		token    = "access-v1:redirect-token-456"
		key      = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCredirected\n-----END PRIVATE KEY-----\n"
	)
	var mu sync.Mutex
	var elsewhere []string
	thief := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		elsewhere = append(elsewhere, r.Method+" "+r.URL.Path+" "+r.Header.Get("Authorization")+" "+string(b))
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(thief.Close)
	otherHost := strings.Replace(thief.URL, "127.0.0.1", "localhost", 1)
	for _, target := range []string{thief.URL, otherHost} {
		for _, status := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
			cluster := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, target+r.URL.Path, status)
			}))
			t.Cleanup(cluster.Close)
			var logs bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			ctx := context.Background()

			withPassword, err := New(cluster.URL, WithCredentials("admin", password), WithLogger(logger))
			if err != nil {
				t.Fatal(err)
			}
			err = withPassword.Login(ctx)
			if !errors.Is(err, ErrRedirect) {
				t.Errorf("%d to %s: login: err = %v, want ErrRedirect", status, target, err)
			}
			withToken, err := New(cluster.URL, WithToken(token), WithLogger(logger))
			if err != nil {
				t.Fatal(err)
			}
			_, getErr := withToken.KeyStore(ctx)
			putErr := withToken.UseKMSKeyStore(ctx, KMSConfig{Hostname: "kms", KeyID: "k", ServerCACert: "c", ClientCert: "c", ClientPrivateKey: key})
			for _, err := range []error{getErr, putErr} {
				if !errors.Is(err, ErrRedirect) {
					t.Errorf("%d to %s: err = %v, want ErrRedirect", status, target, err)
				}
				if err != nil && (strings.Contains(err.Error(), "redirect-token") || strings.Contains(err.Error(), "MIIEv")) {
					t.Errorf("the error holds a secret: %v", err)
				}
			}
			for _, s := range []string{password, "redirect-token-456", "MIIEvQIBADAN"} {
				if strings.Contains(logs.String(), s) {
					t.Errorf("the log holds %q:\n%s", s, logs.String())
				}
			}
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(elsewhere) > 0 {
		t.Errorf("requests reached the redirect target:\n%s", strings.Join(elsewhere, "\n"))
	}
}

// Every answer's body is bounded in one place: a call reading a
// body past the bound fails with ErrResponseTooLarge instead of holding it
// (a 2 GB body took 4.45 GB).
func TestHostileResponseBodyBounded(t *testing.T) {
	t.Parallel()
	big := bytes.Repeat([]byte("x"), DefaultMaxResponseBytes+1)
	exact := bytes.Repeat([]byte("y"), 4<<10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("exact") != "" {
			_, _ = w.Write(exact)
			return
		}
		_, _ = w.Write(big)
	}))
	t.Cleanup(srv.Close)
	c, err := New(srv.URL, WithToken("access-v1:t"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Encryption.GetKeyStore(context.Background()); !errors.Is(err, ErrResponseTooLarge) {
		t.Errorf("GetKeyStore: err = %v, want ErrResponseTooLarge", err)
	}
	small, err := New(srv.URL, WithToken("access-v1:t"), WithMaxResponseBytes(int64(len(exact))))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/v2/encryption/key-store?exact=1", nil)
	resp, err := small.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if b, err := io.ReadAll(resp.Body); err != nil || len(b) != len(exact) {
		t.Errorf("a body of exactly the bound: %d bytes, %v", len(b), err)
	}
}

// An error answer is read only as far as an error document can go: a
// service method given an endless 500 answers an *APIError at once, not a
// read of the whole response bound.
func TestHostileErrorBodyBounded(t *testing.T) {
	t.Parallel()
	chunk := bytes.Repeat([]byte("e"), 64<<10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	c, err := New(srv.URL, WithToken("access-v1:t"))
	if err != nil {
		t.Fatal(err)
	}
	var apiErr *APIError
	if _, err := c.Version.Get(context.Background()); !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusInternalServerError {
		t.Errorf("err = %v, want the 500 as an *APIError", err)
	}
}

// A description of a megabyte with escape sequences (clear the screen, a
// colour, an OSC 52 clipboard write) and CR/LF reached err.Error()
// unchanged: Error is now bounded and printable, and the field keeps the
// whole (redacted) text.
func TestHostileErrorDescriptionPrintable(t *testing.T) {
	t.Parallel()
	const size = 1048449
	head := "\x1b[2J\x1b[31mred\x1b]52;c;aGVsbG8=\x07\r\nlevel=ERROR msg=forged\n"
	desc := head + strings.Repeat("A", size-len(head))
	body, _ := json.Marshal(map[string]any{"module": "m", "error_class": "c\x1b[0m", "description": desc, "stack": []string{}})
	if len(body) > maxErrorBody {
		t.Fatalf("the body is %d bytes, more than the client reads", len(body))
	}
	err := errorFor(t, http.StatusBadRequest, "application/json", string(body))
	var apiErr *APIError
	if !errors.As(err, &apiErr) || len(apiErr.Description) != size {
		t.Fatalf("err = %T, description of %d bytes, want %d", err, len(apiErr.Description), size)
	}
	msg := err.Error()
	if len(msg) > maxDescription+maxClass+200 {
		t.Errorf("Error() is %d bytes long", len(msg))
	}
	for i := range len(msg) {
		if c := msg[i]; c < 0x20 || c == 0x7f {
			t.Fatalf("Error() holds control byte %#x at %d: %q", c, i, msg[:min(len(msg), 200)])
		}
	}
	for _, want := range []string{`: c\x1b[0m: \x1b[2J\x1b[31mred\x1b]52;c;aGVsbG8=\a\r\nlevel=ERROR`, "bytes cut)"} {
		if !strings.Contains(msg, want) {
			t.Errorf("Error() lacks %q: %q", want, msg[:min(len(msg), 300)])
		}
	}
}

// printable quotes what a terminal would act on, keeps other text, and
// says how much it cut.
func TestHostilePrintable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		max  int
		want string
	}{
		{"ok é 日本", 40, "ok é 日本"},
		{"a\u202eb\u200bc", 40, `a\u202eb\u200bc`},
		{"bad \xff utf-8", 40, `bad \xff utf-8`},
		{"tab\there\u009bC1", 40, `tab\there\u009bC1`},
		{"0123456789abcdefghij", 10, "0123456789…(10 bytes cut)"},
		{"é€é€é€é€", 10, "é€é€…(10 bytes cut)"},
	} {
		if got := printable(tc.in, tc.max); got != tc.want {
			t.Errorf("printable(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}
