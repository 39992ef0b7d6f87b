package har

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	qapi "github.com/qapitools/qapi"
	"github.com/qapitools/qapi/check"
	"github.com/qapitools/qapi/redact"
)

func jsonHeader() http.Header { return http.Header{"Content-Type": {"application/json"}} }

func loginTraffic(password, token string) check.Traffic {
	req := httptest.NewRequest("POST", "https://cluster:8000/v1/session/login", nil)
	req.Header.Set("Content-Type", "application/json")
	return check.Traffic{Request: req, RequestBody: []byte(`{"username":"admin","password":"` + password + `"}`),
		Status: 200, Header: jsonHeader(), Body: []byte(`{"bearer_token":"` + token + `"}`)}
}

// The archive is valid JSON after every entry, so a crash loses at most
// the exchange in flight.
func TestHARWriterIsValidAfterEachEntry(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "r.har")
	w, err := Create(path, "test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.Close() })
	red := redact.New()
	for i := range 3 {
		h, err := Read(path)
		if err != nil {
			t.Fatalf("after %d entries: %v", i, err)
		}
		if len(h.Log.Entries) != i || h.Log.Version != "1.2" || h.Log.Creator.Name != "qapi" {
			t.Fatalf("after %d entries: %+v", i, h.Log)
		}
		if err := w.Add(NewEntry(red, time.Now(), time.Millisecond, loginTraffic("pw-long-enough", "session-v1:t"))); err != nil {
			t.Fatal(err)
		}
	}
}

// Passwords, tokens and write-only values never reach the recording; the
// write-only ones become numbered markers so verify can still see a leak.
func TestHAREntryRedacts(t *testing.T) {
	t.Parallel()
	spec, err := qapi.Spec()
	if err != nil {
		t.Fatal(err)
	}
	c, err := check.NewChecker(spec)
	if err != nil {
		t.Fatal(err)
	}
	tr := loginTraffic("s3cret-pass-123", "session-v1:0123456789abcdef")
	tr.Request.Header.Set("Authorization", "Bearer access-v1:feedface")
	c.Check(tr)
	e := NewEntry(c.Redactor(), time.Now(), time.Millisecond, tr)
	data, _ := json.Marshal(e)
	for _, secret := range []string{"s3cret-pass-123", "0123456789abcdef", "feedface"} {
		if strings.Contains(string(data), secret) {
			t.Errorf("the entry holds %q: %s", secret, data)
		}
	}
	if !strings.Contains(e.Request.PostData.Text, `"password":"[REDACTED write-only #1]"`) {
		t.Errorf("request body %s", e.Request.PostData.Text)
	}
}

// A file that is not a HAR is refused with its name and where the JSON
// went wrong.
func TestReadHARErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, tc := range map[string]struct{ data, want string }{
		"broken.har": {"{\n  \"log\": {\n    \"entries\": [,]\n  }\n}\n", "broken.har: not a HAR file: line 3, column"},
		"nolog.har":  {`{"entries":[]}`, `nolog.har: not a HAR file: no "log" object`},
		"types.har":  {`{"log":{"entries":"none"}}`, "types.har: not a HAR 1.2 file: line 1"},
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(tc.data), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Read(path)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to contain %q", name, err, tc.want)
		}
	}
	if _, err := Read(filepath.Join(dir, "missing.har")); err == nil || !strings.Contains(err.Error(), "missing.har") {
		t.Errorf("missing file: %v", err)
	}
}
