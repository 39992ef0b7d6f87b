package check

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	qapi "github.com/qapitools/qapi"
)

func newTestChecker(t *testing.T, opts ...Option) *Checker {
	t.Helper()
	spec, err := qapi.Spec()
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewChecker(spec, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func jsonHeader() http.Header { return http.Header{"Content-Type": {"application/json"}} }

// A response with a field of the wrong type fails the schema check, named
// by its JSON pointer, without quoting the value.
func TestCheckWrongFieldType(t *testing.T) {
	t.Parallel()
	req := httptest.NewRequest("GET", "https://cluster:8000/v2/encryption/key-store", nil)
	req.Header.Set("Authorization", "Bearer session-v1:abc")
	vs := newTestChecker(t).Check(Traffic{Request: req, Status: 200, Header: jsonHeader(), Body: []byte(`{"type":"Local","local_store":{"status":12345}}`)}).Violations()
	if len(vs) == 0 {
		t.Fatal("no violation")
	}
	v := vs[0]
	if v.Check != ResponseSchemaConformance || v.Operation != "GetEncryptionKeyStore" || v.Direction != DirectionResponse || v.Field != "/local_store/status" {
		t.Errorf("violation %+v, want response_schema_conformance at /local_store/status", v)
	}
	if strings.Contains(v.Reason, "12345") {
		t.Errorf("the reason quotes the value: %q", v.Reason)
	}
}

// A write-only value sent in one exchange and returned in a later one fails
// write_only_never_returned, at the field it came back in.
func TestCheckerTracksWriteOnlyAcrossExchanges(t *testing.T) {
	t.Parallel()
	c := newTestChecker(t)
	key := "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n"
	put := httptest.NewRequest("PUT", "/v2/encryption/key-store", nil)
	put.Header.Set("Content-Type", "application/json")
	put.Header.Set("Authorization", "Bearer session-v1:abc")
	body := `{"type":"KMS","kms_store":{"hostname":"kms","port":5696,"key_id":"k","server_ca_cert":"c","client_cert":"c","client_private_key":` + quote(key) + `}}`
	if vs := c.CheckRequest(Traffic{Request: put, RequestBody: []byte(body)}); len(vs) > 0 {
		t.Fatalf("a valid request fails: %v", vs)
	}
	if vs := c.CheckResponse(Traffic{Request: put, RequestBody: []byte(body), Status: 200}); len(vs) > 0 {
		t.Fatalf("the PUT's empty answer fails: %v", vs)
	}
	get := httptest.NewRequest("GET", "/v2/encryption/key-store", nil)
	get.Header.Set("Authorization", "Bearer session-v1:abc")
	leak := `{"type":"KMS","kms_store":{"hostname":"kms","port":5696,"key_id":"k","config_creation_time":"t","client_private_key":` + quote(key) + `}}`
	vs := c.CheckResponse(Traffic{Request: get, Status: 200, Header: jsonHeader(), Body: []byte(leak)})
	var found bool
	for _, v := range vs {
		if v.Check == WriteOnlyNeverReturned {
			found = true
			if v.Field != "/kms_store/client_private_key" {
				t.Errorf("field %q", v.Field)
			}
		}
		if strings.Contains(v.Reason, "MIIEvQ") {
			t.Errorf("a reason holds the key: %q", v.Reason)
		}
	}
	if !found {
		t.Fatalf("leak not found: %v", vs)
	}
}

// Requests are checked too: a parameter or body of the wrong type fails
// request_conformance; paths outside the spec are not checked.
func TestCheckRequest(t *testing.T) {
	t.Parallel()
	c := newTestChecker(t)
	put := httptest.NewRequest("PUT", "/v2/encryption/key-store", nil)
	put.Header.Set("Content-Type", "application/json")
	vs := c.CheckRequest(Traffic{Request: put, RequestBody: []byte(`{"type":"KMS","kms_store":{"hostname":"h","port":"x","key_id":"k"}}`)})
	if len(vs) == 0 || vs[0].Check != RequestConformance || vs[0].Direction != DirectionRequest {
		t.Fatalf("violations %v, want request_conformance", vs)
	}
	if res := c.Check(Traffic{Request: httptest.NewRequest("GET", "/v1/elsewhere", nil), Status: 200}); res.Known {
		t.Error("a path outside the spec routes")
	}
	if vs := c.CheckRequest(Traffic{Request: httptest.NewRequest("GET", "/v1/elsewhere", nil)}); len(vs) > 0 {
		t.Errorf("a path outside the spec has violations: %v", vs)
	}
}

// A request without a token that succeeds on a secured operation fails
// ignored_auth; one answered 401 passes.
func TestPassiveIgnoredAuth(t *testing.T) {
	t.Parallel()
	c := newTestChecker(t)
	get := httptest.NewRequest("GET", "/v2/encryption/key-store", nil)
	res := c.Check(Traffic{Request: get, Status: 200, Header: jsonHeader(), Body: []byte(`{"type":"Local","local_store":{"status":"Encrypted"}}`)})
	if !hasFailed(res, IgnoredAuth) {
		t.Errorf("a 200 without a token passes ignored_auth: %+v", res.Outcomes)
	}
	res = c.Check(Traffic{Request: get, Status: 401, Header: jsonHeader(), Body: []byte(`{"module":"m","error_class":"c","description":"d","stack":[],"user_visible":true}`)})
	if hasFailed(res, IgnoredAuth) || len(res.Violations()) > 0 {
		t.Errorf("a 401 without a token fails: %v", res.Violations())
	}
}

func hasFailed(res *Result, check string) bool {
	for _, o := range res.Outcomes {
		if o.Check == check && o.Status == Fail {
			return true
		}
	}
	return false
}

func quote(s string) string {
	return `"` + strings.ReplaceAll(s, "\n", `\n`) + `"`
}

// The check lists are read through functions that hand out copies: a
// caller that changes one changes nobody else's.
func TestCheckListsAreCopies(t *testing.T) {
	t.Parallel()
	for name, get := range map[string]func() []Check{"Active": Active, "Passive": Passive} {
		first := get()
		first[0].Name = "changed"
		if get()[0].Name == "changed" {
			t.Errorf("%s hands out its own list", name)
		}
	}
}
