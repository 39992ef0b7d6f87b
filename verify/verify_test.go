package verify

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	qapi "github.com/qapitools/qapi"
	"github.com/qapitools/qapi/check"
	"github.com/qapitools/qapi/har"
	"github.com/qapitools/qapi/redact"
)

func jsonHeader() http.Header { return http.Header{"Content-Type": {"application/json"}} }

func loginTraffic(password, token string) check.Traffic {
	req := httptest.NewRequest("POST", "https://cluster:8000/v1/session/login", nil)
	req.Header.Set("Content-Type", "application/json")
	return check.Traffic{Request: req, RequestBody: []byte(`{"username":"admin","password":"` + password + `"}`),
		Status: 200, Header: jsonHeader(), Body: []byte(`{"bearer_token":"` + token + `"}`)}
}

// Verify builds a report per operation seen, and counts the exchanges
// outside the spec without failing them.
func TestArchive(t *testing.T) {
	t.Parallel()
	spec, err := qapi.Spec()
	if err != nil {
		t.Fatal(err)
	}
	red := redact.New()
	get := httptest.NewRequest("GET", "https://cluster:8000/v2/encryption/key-store", nil)
	get.Header.Set("Authorization", "Bearer x")
	other := httptest.NewRequest("GET", "https://cluster:8000/v1/stats", nil)
	h := &har.Archive{Log: har.Log{Version: "1.2", Entries: []har.Entry{
		har.NewEntry(red, time.Now(), time.Millisecond, loginTraffic("pw", "tok")),
		har.NewEntry(red, time.Now(), time.Millisecond, check.Traffic{Request: get, Status: 200, Header: jsonHeader(), Body: []byte(`{"type":"Local","local_store":{"status":"Encrypted"}}`)}),
		har.NewEntry(red, time.Now(), time.Millisecond, check.Traffic{Request: other, Status: 200, Header: jsonHeader(), Body: []byte(`{}`)}),
	}}}
	v, err := Archive(spec, h, "test.har", false)
	if err != nil {
		t.Fatal(err)
	}
	if v.Report.Failed() || len(v.Report.Operations) != 2 || v.Report.Requests != 3 {
		var b strings.Builder
		_ = v.Report.WriteText(&b)
		t.Fatalf("report:\n%s", b.String())
	}
	if len(v.Outside) != 1 || v.Outside[0].Path != "/v1/stats" || v.Outside[0].Count != 1 {
		t.Errorf("outside %+v", v.Outside)
	}
	var b strings.Builder
	_ = v.WriteOutside(&b)
	if !strings.Contains(b.String(), "/v1/stats") {
		t.Errorf("text lacks the outside path:\n%s", b.String())
	}

	h.Log.Entries[1].Response.Content.Text = `{"type":"Local","local_store":{"status":7}}`
	if v, _ = Archive(spec, h, "test.har", false); !v.Report.Failed() {
		t.Error("a wrong field type passes verify")
	}
}
