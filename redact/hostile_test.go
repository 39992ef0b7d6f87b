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

// hostileShapes are the shapes of issue 21 in which secrets reached a
// recording: each body holds the planted secrets listed with it.
var hostileShapes = []struct {
	name, body string
	secrets    []string
}{
	{"keytab key bytes", `{"keytab_entries":[{"principal":"nfs/h@R","key":[12,34,56,78,90,123]},{"key":[12,34,56,78,90,124]}]}`,
		[]string{"12,34,56,78,90,123", "12,34,56,78,90,124"}},
	{"keytab as answered", `{"entries":[{"enctype":"AES256","key":[12,34,56,78,90,125],"version":2}]}`,
		[]string{"12,34,56,78,90,125"}},
	{"keytab, trailing comma", `{"entries":[{"key":[12, 34, 56, 78, 90, 126],},]}`, []string{"12, 34, 56, 78, 90, 126"}},
	{"keytab, Python repr", `{'entries': [{'key': [12, 34, 56, 78, 90, 127], 'principal': 'nfs/h@R'}]}`, []string{"12, 34, 56, 78, 90, 127"}},
	{"keytab bytes, Python repr", `{'key': b'\x05\x02\x00\x00keyb1tes'}`, []string{"keyb1tes"}},
	{"trailing comma", `{"old_password":"0ld-Secret-1","new_password":"n3w-Secret-2",}`, []string{"0ld-Secret-1", "n3w-Secret-2"}},
	{"Python repr", `{'username': 'admin', 'password': 'pyth0n-Secret'}`, []string{"pyth0n-Secret"}},
	{"Python repr, escaped quote", `{'password': 'it\'s-a-Secret', 'x': 1}`, []string{"s-a-Secret"}},
	{"multipart", "--XyZ\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nadmin\r\n--XyZ\r\nContent-Disposition: form-data; name=\"password\"\r\nContent-Type: text/plain\r\n\r\nmult1part-Secret\r\nline 2\r\n--XyZ--\r\n",
		[]string{"mult1part-Secret", "line 2"}},
	{"multipart, unquoted name", "--b\nContent-Disposition: form-data; name=client_private_key\n\nunqu0ted-Secret\n--b--\n", []string{"unqu0ted-Secret"}},
	{"multipart keytab file", "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"nfs.keytab\"\r\n\r\nkeytab-file-B0dy\r\n--b--\r\n", []string{"keytab-file-B0dy"}},
	{"form with api_key", "user=a&api_key=form-Api-Key-9&x=1", []string{"form-Api-Key-9"}},
	{"URL-encoded JSON", "data=%7B%22old_password%22%3A+%22enc0ded-Secret%22%2C%7D", []string{"enc0ded-Secret"}},
	{"escaped JSON in text", `note {\"new_password\":\"esc4ped-Secret\",} end`, []string{"esc4ped-Secret"}},
	{"escaped twice", `"{\\\"password\\\":\\\"tw1ce-Secret\\\"}"`, []string{"tw1ce-Secret"}},
	{"logfmt", `user=admin password="quoted Secret-7" ok`, []string{"quoted Secret-7"}},
	{"unterminated", "{\"password\":\"unterm1nated-Secret\nand the rest", []string{"unterm1nated-Secret", "the rest"}},
	{"XML", `<login><user>admin</user><ns:password type="x">xml-Secret-3</ns:password></login>`, []string{"xml-Secret-3"}},
	{"unclosed key list", `{"key":[12,34,56,78,90,128`, []string{"12,34,56,78,90,128"}},
}

// Secrets in bodies that are not JSON, and key material under names that
// hold it, are redacted by their names however they are quoted or escaped;
// a value whose end cannot be found is redacted to the end (issue 21).
func TestHostileNamedShapes(t *testing.T) {
	t.Parallel()
	r := New()
	for _, tc := range hostileShapes {
		for how, got := range map[string]string{"Body": r.Body([]byte(tc.body)), "Text": r.Text(tc.body)} {
			for _, s := range tc.secrets {
				if strings.Contains(got, s) {
					t.Errorf("%s: %s keeps %q: %s", tc.name, how, s, got)
				}
			}
			if !strings.Contains(got, Marker) {
				t.Errorf("%s: %s marks nothing: %s", tc.name, how, got)
			}
		}
		found := strings.Join(SecretsIn(tc.body), "\n")
		if !strings.Contains(found, tc.secrets[0]) && tc.name != "keytab bytes, Python repr" {
			t.Errorf("%s: SecretsIn does not find %q: %q", tc.name, tc.secrets[0], found)
		}
	}
}

// What only looks like a secret's name stays: prose about a field, a
// key that names something, a JSON literal.
func TestHostileNamedShapesKeepNames(t *testing.T) {
	t.Parallel()
	r := New()
	for _, in := range []string{
		`request body field "password": value must be a string`,
		`{"key":"photos/2024/a.jpg","lock_key":"policy-key-1"}`,
		`{'password': None, "token": null, "secret": true}`,
		`the monkeys: [1, 2]`,
	} {
		if got := r.Text(in); got != in {
			t.Errorf("Text(%q) = %q", in, got)
		}
	}
	if got := r.Body([]byte(`{"key":"photos/a.jpg","keys":3,"entries":[{"key":[1,2]}]}`)); got != `{"entries":[{"key":"[REDACTED]"}],"key":"photos/a.jpg","keys":"[REDACTED]"}` {
		t.Errorf("Body = %s", got)
	}
}
