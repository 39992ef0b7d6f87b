package check

import (
	"net/http/httptest"
	"testing"
)

// The contract takes what clusters send (integers, the nulls they send) and
// still fails the rest: a missing required field, a fraction or a string
// where an integer goes, a null where a cluster sends none.
func TestResponseSchemaKeepsItsTeeth(t *testing.T) {
	t.Parallel()
	c := newTestChecker(t)
	kms := func(port string) []byte {
		return []byte(`{"type":"KMS","kms_store":{"hostname":"kms.example","key_id":"k1","config_creation_time":"2024-07-18T00:00:00Z"` + port + `}}`)
	}
	for _, tc := range []struct {
		name, path string
		body       []byte
		fails      bool
	}{
		{"integer port", "/v2/encryption/key-store", kms(`,"port":5696`), false},
		{"missing required port", "/v2/encryption/key-store", kms(``), true},
		{"fraction for an integer", "/v2/encryption/key-store", kms(`,"port":5696.5`), true},
		{"string for an integer", "/v2/encryption/key-store", kms(`,"port":"5696"`), true},
		{"null port", "/v2/encryption/key-store", kms(`,"port":null`), true},
		{"integer snapshot id", "/v3/snapshots/1", []byte(`{"id":1,"policy_id":null}`), false},
		{"fraction for a snapshot id", "/v3/snapshots/1", []byte(`{"id":1.5}`), true},
		{"healthy job", "/v1/tree-delete/jobs/3", []byte(`{"id":"3","initial_path":"/tmp","last_error_message":null}`), false},
		{"null path", "/v1/tree-delete/jobs/3", []byte(`{"id":"3","initial_path":null,"last_error_message":null}`), true},
	} {
		req := httptest.NewRequest("GET", "https://cluster:8000"+tc.path, nil)
		req.Header.Set("Authorization", "Bearer session-v1:abc")
		vs := c.Check(Traffic{Request: req, Status: 200, Header: jsonHeader(), Body: tc.body}).Violations()
		if failed := len(vs) > 0; failed != tc.fails {
			t.Errorf("%s: violations %+v, want failure %v", tc.name, vs, tc.fails)
		}
		for _, v := range vs {
			if v.Check != ResponseSchemaConformance {
				t.Errorf("%s: violation of %s, want only %s", tc.name, v.Check, ResponseSchemaConformance)
			}
		}
	}
}
