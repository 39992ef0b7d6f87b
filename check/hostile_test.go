package check

// Regression tests for issue 10 (hostile peers and hostile input), as the
// checks shared by the runner, the proxy and verify see them.

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/qapitools/qapi/redact"
)

func keyStoreGet(auth string) Traffic {
	req := httptest.NewRequest("GET", "https://cluster:8000/v2/encryption/key-store", nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	return Traffic{Request: req}
}

func loginExchange(password string, status int, answer string) Traffic {
	body := `{"username":"admin","password":"` + password + `"}`
	req := httptest.NewRequest("POST", "https://cluster:8000/v1/session/login", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return Traffic{Request: req, RequestBody: []byte(body), Status: status, Header: jsonHeader(), Body: []byte(answer)}
}

const unauthorized = `{"module":"m","error_class":"http_unauthorized_error","description":"no","stack":[],"user_visible":true}`

// A flood of made-up tokens, each refused, teaches the Checker nothing (it
// learned every one before, and every later call got slower); a token the
// server accepted is learned.
func TestHostileTokenFloodTeachesNothing(t *testing.T) {
	t.Parallel()
	c := newTestChecker(t)
	for i := range 200 {
		tr := keyStoreGet(fmt.Sprintf("Bearer made-up-token-%04d", i))
		tr.Status, tr.Header, tr.Body = 401, jsonHeader(), []byte(unauthorized)
		c.Check(tr)
	}
	if got := c.Redactor().Text("made-up-token-0007"); got != "made-up-token-0007" {
		t.Errorf("a refused token was learned: %q", got)
	}
	ok := keyStoreGet("Bearer accepted-token-1")
	ok.Status, ok.Header, ok.Body = 200, jsonHeader(), []byte(`{"type":"Local","local_store":{"status":"Encrypted"}}`)
	c.Check(ok)
	if got := c.Redactor().Text("x accepted-token-1 y"); got != "x "+redact.Marker+" y" {
		t.Errorf("an accepted token was not learned: %q", got)
	}
}

// A made-up token is still redacted in its own exchange, however the
// Authorization header is spaced.
func TestHostileTokenRedactedInItsExchange(t *testing.T) {
	t.Parallel()
	c := newTestChecker(t)
	for _, auth := range []string{"Bearer\tplain-tok-1", "plain-tok-1", "Bearer   plain-tok-1 ", "bearer plain-tok-1"} {
		tr := keyStoreGet(auth)
		tr.Status = 401
		if got := c.Scope(tr).Text(`{"description":"token plain-tok-1 is unknown"}`); strings.Contains(got, "plain-tok-1") {
			t.Errorf("Authorization %q: the exchange's redactor keeps the token: %s", auth, got)
		}
	}
}

// Failed logins teach nothing (each password was learned before); a
// successful one teaches its password and the token it answered. The
// password of a failed login is still redacted in that exchange.
func TestHostileFailedLoginsTeachNothing(t *testing.T) {
	t.Parallel()
	c := newTestChecker(t)
	for i := range 100 {
		c.Check(loginExchange(fmt.Sprintf("wrong-password-%03d", i), 401, unauthorized))
	}
	if got := c.Redactor().Text("wrong-password-042"); got != "wrong-password-042" {
		t.Errorf("a refused password was learned: %q", got)
	}
	failed := loginExchange("wrong-password-042", 401, `{"description":"bad password wrong-password-042"}`)
	if got := c.Scope(failed).Body(failed.Body); strings.Contains(got, "wrong-password-042") {
		t.Errorf("the failed login's own answer keeps its password: %s", got)
	}
	c.Check(loginExchange("right-password-1", 200, `{"bearer_token":"opaque-token-abcdef"}`))
	for _, s := range []string{"right-password-1", "opaque-token-abcdef"} {
		if got := c.Redactor().Text("<" + s + ">"); strings.Contains(got, s) {
			t.Errorf("%q was not learned from a successful login: %q", s, got)
		}
	}
}

// A write-only value is remembered only when its write succeeded.
func TestHostileWriteOnlyLearnedOnSuccess(t *testing.T) {
	t.Parallel()
	c := newTestChecker(t)
	put := func(key string, status int) Traffic {
		body := `{"type":"KMS","kms_store":{"hostname":"kms","port":5696,"key_id":"k","server_ca_cert":"c","client_cert":"c","client_private_key":"` + key + `"}}`
		req := httptest.NewRequest("PUT", "https://cluster:8000/v2/encryption/key-store", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer session-v1:abc")
		return Traffic{Request: req, RequestBody: []byte(body), Status: status, Header: jsonHeader(), Body: []byte(unauthorized)}
	}
	c.Check(put("refused-private-key-000", 400))
	if got := c.Redactor().Text("refused-private-key-000"); got != "refused-private-key-000" {
		t.Errorf("a refused write's value was learned: %q", got)
	}
	tr := put("stored-private-key-0001", 200)
	tr.Body, tr.Header = nil, nil
	c.Check(tr)
	if got := c.Redactor().Text("stored-private-key-0001"); !strings.HasPrefix(got, "[REDACTED write-only #") {
		t.Errorf("a stored write-only value was not learned: %q", got)
	}
}

// Bodies that Go's decoder takes and a cluster does not fail
// request_conformance with a reason that names the place and shows no Go
// internals.
func TestHostileLenientRequestBodies(t *testing.T) {
	t.Parallel()
	c := newTestChecker(t)
	kms := func(port string) string {
		return `{"type":"KMS","kms_store":{"hostname":"kms","port":` + port + `,"key_id":"k","server_ca_cert":"c","client_cert":"c","client_private_key":"p"}}`
	}
	for name, tc := range map[string]struct{ body, field, reason string }{
		"trailing garbage":       {`{"type":"Local"} xyz`, "body@17", "data after the JSON value"},
		"two documents":          {`{"type":"Local"}{"type":"Local"}`, "body@16", "data after the JSON value"},
		"invalid UTF-8 in a key": {"{\"type\":\"Local\",\"k\xffey\":1}", "body@18", "invalid UTF-8"},
		"fraction for integer":   {kms("5696.0"), "/kms_store/port", "value must be an integer"},
		"exponent for integer":   {kms("5.696e3"), "/kms_store/port", "value must be an integer"},
		"number out of range":    {kms("1e400"), "/kms_store/port", "number 1e400 is out of range"},
	} {
		req := httptest.NewRequest("PUT", "https://cluster:8000/v2/encryption/key-store", strings.NewReader(tc.body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer session-v1:abc")
		vs := c.CheckRequest(Traffic{Request: req, RequestBody: []byte(tc.body)})
		if len(vs) != 1 || vs[0].Field != tc.field || !strings.Contains(vs[0].Reason, tc.reason) || strings.Contains(vs[0].Reason, "Go ") {
			t.Errorf("%s: violations %+v, want one at %s saying %q", name, vs, tc.field, tc.reason)
		}
	}
}

// --strict flags undeclared fields of a request body too.
func TestHostileStrictRequestBody(t *testing.T) {
	t.Parallel()
	body := `{"type":"Local","surprise":1}`
	req := httptest.NewRequest("PUT", "https://cluster:8000/v2/encryption/key-store", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer session-v1:abc")
	tr := Traffic{Request: req, RequestBody: []byte(body)}
	if vs := newTestChecker(t).CheckRequest(tr); len(vs) != 0 {
		t.Fatalf("without --strict: %v", vs)
	}
	vs := newTestChecker(t, WithStrict(true)).CheckRequest(tr)
	if len(vs) != 1 || vs[0].Field != "/surprise" || !strings.Contains(vs[0].Reason, "undeclared") {
		t.Errorf("with --strict: %+v, want an undeclared property at /surprise", vs)
	}
}

// A schema error on a huge value says where, not the whole value.
func TestHostileHugeValueReasonIsBounded(t *testing.T) {
	t.Parallel()
	huge := strings.Repeat("x", 1<<20)
	tr := keyStoreGet("Bearer session-v1:abc")
	tr.Status, tr.Header = 200, jsonHeader()
	tr.Body = []byte(`{"type":"Local","local_store":{"status":"` + huge + `"}}`)
	res := newTestChecker(t).Check(tr)
	for _, o := range res.Outcomes {
		if len(o.Reason) > 2*maxReason {
			t.Errorf("%s: reason of %d bytes", o.Check, len(o.Reason))
		}
		for _, v := range o.Violations {
			if len(v.Reason) > 2*maxReason {
				t.Errorf("%s: violation reason of %d bytes", o.Check, len(v.Reason))
			}
		}
	}
	if len(res.Violations()) == 0 {
		t.Error("the huge value passed")
	}
}

// A list of many items each breaking the schema is reported as a bounded
// number of violations (each a proxy log line), saying how many more there
// were; kin-openapi's message for it, which quoted each value and schema,
// made verify take seconds per exchange.
func TestHostileManyViolationsBounded(t *testing.T) {
	t.Parallel()
	doc, err := openapi3.NewLoader().LoadFromData([]byte(`openapi: 3.0.3
info: {title: users, version: "1"}
paths:
  /v1/users/:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: array
                items: {type: object, properties: {uid: {type: string}, home: {type: string}}}
`))
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewChecker(doc)
	if err != nil {
		t.Fatal(err)
	}
	items := make([]string, 2000)
	for i := range items {
		items[i] = `{"uid":null,"home":null}`
	}
	tr := Traffic{Request: httptest.NewRequest("GET", "https://cluster:8000/v1/users/", nil), Status: 200, Header: jsonHeader(),
		Body: []byte("[" + strings.Join(items, ",") + "]")}
	for _, o := range c.Check(tr).Outcomes {
		if o.Check != ResponseSchemaConformance {
			continue
		}
		if len(o.Violations) != maxViolations || !strings.HasSuffix(o.Reason, fmt.Sprintf("and %d more", 2*len(items)-maxViolations)) {
			t.Errorf("%d violations, reason %q; want %d and a count of the rest", len(o.Violations), o.Reason, maxViolations)
		}
	}
}

// A recording keeps [REDACTED] where a secret was, whatever its type (a
// keytab's key is a list of numbers): verify does not judge the marker as
// the value it stands for, and still judges everything else.
func TestRedactedValuesAreNotJudged(t *testing.T) {
	t.Parallel()
	doc, err := openapi3.NewLoader().LoadFromData([]byte(`openapi: 3.0.3
info: {title: keytab, version: "1"}
paths:
  /v1/auth/kerberos-keytab:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  entries:
                    type: array
                    items: {type: object, properties: {principal: {type: string}, key: {type: array, items: {type: integer}}}}
`))
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewChecker(doc)
	if err != nil {
		t.Fatal(err)
	}
	for body, want := range map[string]Status{
		`{"entries":[{"principal":"host/a","key":"[REDACTED]"}]}`: Pass,
		`{"entries":[{"principal":"host/a","key":[1,2]}]}`:        Pass,
		`{"entries":[{"principal":"host/a","key":"abc"}]}`:        Fail,
		`{"entries":[{"principal":7,"key":"[REDACTED]"}]}`:        Fail,
	} {
		tr := Traffic{Request: httptest.NewRequest("GET", "https://cluster:8000/v1/auth/kerberos-keytab", nil), Status: 200, Header: jsonHeader(), Body: []byte(body)}
		for _, o := range c.Check(tr).Outcomes {
			if o.Check == ResponseSchemaConformance && o.Status != want {
				t.Errorf("%s: %s (%s), want %s", body, o.Status, o.Reason, want)
			}
		}
	}
}
