package redact

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const testPrivateKey = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDtopsecret\n-----END PRIVATE KEY-----\n"

func TestPatterns(t *testing.T) {
	t.Parallel()
	r := New()
	forget := r.Add("l1teral-s3cret")
	for in, want := range map[string]string{
		"Authorization: Bearer abc.def":                 "Authorization: Bearer [REDACTED]",
		`{"bearer_token":"session-v1:xyz"}`:             `{"bearer_token":"[REDACTED]"}`,
		"token session-v1:abc/def+= and access-v1:qqq!": "token session-v1:[REDACTED] and access-v1:[REDACTED]",
		`{"username":"u","password":"p\"w"}`:            `{"username":"u","password":"[REDACTED]"}`,
		"x " + testPrivateKey + " y":                    "x [REDACTED]\n y",
		"cut -----BEGIN RSA PRIVATE KEY-----\nMIIE":     "cut [REDACTED]",
		"the l1teral-s3cret here":                       "the [REDACTED] here",
		"GET /v2/encryption/key-store 200":              "GET /v2/encryption/key-store 200",
	} {
		if got := r.Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
	forget()
	if got := r.Text("the l1teral-s3cret here"); got != "the l1teral-s3cret here" {
		t.Errorf("forgotten literal still redacted: %q", got)
	}
}

// A known secret is found in the forms other text carries it in.
func TestSecretForms(t *testing.T) {
	t.Parallel()
	secret := `pa"ss/w0rd+&x`
	r := New()
	r.Add(secret)
	for _, in := range []string{
		secret,
		`pa\"ss/w0rd+\u0026x`, // inside a JSON string
		url.QueryEscape(secret),
		url.PathEscape(secret),
		base64.StdEncoding.EncodeToString([]byte(secret)),
	} {
		if got := r.Text("<" + in + ">"); strings.Contains(got, in) {
			t.Errorf("Text keeps %q: %q", in, got)
		}
	}
}

// Values sent in write-only fields become numbered markers: whole values
// always, values inside other text when long enough not to occur by chance.
func TestWriteOnlyMarkers(t *testing.T) {
	t.Parallel()
	r := New()
	r.AddWriteOnly("short-1")
	r.AddWriteOnly("a-long-write-only-value")
	r.AddWriteOnly(Marker) // a recording's marker is no secret
	for in, want := range map[string]string{
		"short-1":                            "[REDACTED write-only #1]",
		"a-long-write-only-value":            "[REDACTED write-only #2]",
		"key=a-long-write-only-value;":       "key=[REDACTED write-only #2];",
		`{"client_private_key":"short-1"}`:   `{"client_private_key":"[REDACTED]"}`,
		"plain text with short-1 inside it!": "plain text with [REDACTED] inside it!",
	} {
		if got := r.Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
	if got := r.Body([]byte(`{"secret_answer":"short-1","other":"a-long-write-only-value"}`)); got != `{"other":"[REDACTED write-only #2]","secret_answer":"[REDACTED write-only #1]"}` {
		t.Errorf("Body = %s", got)
	}
}

// Authorization keeps its scheme only, whatever the spacing; a bare
// credential goes whole; cookies go whole.
func TestHeader(t *testing.T) {
	t.Parallel()
	r := New()
	got := r.Header(http.Header{
		"Authorization":       {"Bearer tok-1", "Bearer\ttok-2", "tok-3", "  Basic   dXNlcjpwdw=="},
		"Proxy-Authorization": {"Bearer tok-4"},
		"Cookie":              {"session=tok-5"},
		"X-Note":              {"session-v1:tok-6"},
	})
	want := http.Header{
		"Authorization":       {"Bearer [REDACTED]", "Bearer [REDACTED]", "[REDACTED]", "Basic [REDACTED]"},
		"Proxy-Authorization": {"Bearer [REDACTED]"},
		"Cookie":              {"[REDACTED]"},
		"X-Note":              {"session-v1:[REDACTED]"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Header = %v, want %v", got, want)
	}
}

// What a Redactor keeps is bounded: past the bound the oldest secrets go,
// the newest stay.
func TestBounded(t *testing.T) {
	t.Parallel()
	r := New()
	for i := range maxLiterals + 10 {
		r.Add(fmt.Sprintf("secret-number-%06d", i))
	}
	r.mu.RLock()
	n := len(r.literals)
	r.mu.RUnlock()
	if n != maxLiterals {
		t.Errorf("kept %d secrets, want %d", n, maxLiterals)
	}
	newest := fmt.Sprintf("secret-number-%06d", maxLiterals+9)
	if got := r.Text(newest); got != Marker {
		t.Errorf("newest secret not redacted: %q", got)
	}
}
