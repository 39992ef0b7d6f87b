package redact

// Regression tests for issue 10: secrets in the forms a hostile or careless
// peer hands them back in, and what one exchange's secrets leave behind.

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
)

// A secret inside longer encoded text, at any alignment and either hex
// case, is found; so is a secret JSON-escaped by other encoders, or twice.
func TestHostileEncodedForms(t *testing.T) {
	t.Parallel()
	secret := "pa/ss\"wörd&1234"
	r := New()
	r.Add(secret)
	for name, in := range map[string]string{
		"base64, 0 bytes in":     base64.StdEncoding.EncodeToString([]byte(secret + "tail")),
		"base64, 1 byte in":      base64.StdEncoding.EncodeToString([]byte("u" + secret)),
		"base64, 2 bytes in":     base64.StdEncoding.EncodeToString([]byte("us:" + secret)),
		"base64url, 2 bytes in":  base64.RawURLEncoding.EncodeToString([]byte("ab" + secret + "!")),
		"lower-case URL hex":     strings.ToLower(url.QueryEscape(secret)),
		"JSON, no HTML escaping": `pa/ss\"wörd&1234`,
		"JSON, escaped slash":    `pa\/ss\"wörd&1234`,
		"JSON, ASCII only":       `pa/ss\"w\u00f6rd&1234`,
		"JSON inside JSON":       `pa/ss\\\"wörd\\u00261234`,
	} {
		if got := r.Text("<" + in + ">"); !strings.Contains(got, Marker) || strings.Contains(got, in) {
			t.Errorf("%s: %q passes unredacted: %q", name, in, got)
		}
	}
}

// Secrets in form bodies and query strings, and secret fields holding a
// number, go even when the Redactor was never told about them.
func TestHostileSecretShapes(t *testing.T) {
	t.Parallel()
	r := New()
	for in, want := range map[string]string{
		"username=admin&password=hunter2-x":     "username=admin&password=[REDACTED]",
		"/v1/x?access_token=abc123&limit=5":     "/v1/x?access_token=[REDACTED]&limit=5",
		"client_private_key=MIIEv%2Bxyz&type=K": "client_private_key=[REDACTED]&type=K",
		"username: admin\npassword: hunter 2":   "username: admin\npassword: [REDACTED]",
	} {
		if got := r.Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
	if got := r.Body([]byte(`{"username":"admin","password":12345678}`)); got != `{"password":"[REDACTED]","username":"admin"}` {
		t.Errorf("numeric password: %s", got)
	}
}

// A Scope redacts its own secrets and its parent's; the parent learns
// nothing from it unless told to keep a secret, and a kept write-only value
// keeps its number.
func TestHostileScope(t *testing.T) {
	t.Parallel()
	r := New()
	r.Add("known-to-root-1")
	s := r.Scope()
	s.Add("only-this-exchange")
	s.AddWriteOnly("write-only-value-xyz")
	if got := s.Text("known-to-root-1 only-this-exchange"); got != Marker+" "+Marker {
		t.Errorf("scope Text = %q", got)
	}
	if got := r.Text("only-this-exchange write-only-value-xyz"); got != "only-this-exchange write-only-value-xyz" {
		t.Errorf("the parent learned from a scope: %q", got)
	}
	marker := s.Text("write-only-value-xyz")
	s.KeepWriteOnly("write-only-value-xyz")
	s.Keep("only-this-exchange")
	if got := r.Text("write-only-value-xyz"); got != marker {
		t.Errorf("kept write-only value shows as %q in the parent, %q in the scope", got, marker)
	}
	if got := r.Text("only-this-exchange"); got != Marker {
		t.Errorf("kept secret not redacted by the parent: %q", got)
	}
}

// Learning a secret already known, or a Qumulo token the patterns catch
// anyway, does not throw away the replacer: rebuilding it for thousands of
// secrets took tens of milliseconds, on every call of a client that sends
// the same token each time or logs in each time.
func TestHostileRelearningRebuildsNothing(t *testing.T) {
	t.Parallel()
	r := New()
	r.Add("accepted-opaque-token")
	_ = r.Text("warm up")
	built := r.current()
	r.Add("accepted-opaque-token")
	r.Add("session-v1:0123456789abcdef")
	if r.current() != built {
		t.Error("the replacer was rebuilt for nothing new")
	}
	if got := r.Text("a session-v1%3A0123456789abcdef b"); strings.Contains(got, "0123456789abcdef") {
		t.Errorf("a URL-escaped session token passes: %q", got)
	}
}
