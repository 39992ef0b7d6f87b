package verify

// Regression tests for issue 10: a recording qapi did not write (a browser
// or another tool's export) is not redacted, so what verify reports of it
// is; and a recording is read one exchange at a time.

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	qapi "github.com/qapitools/qapi"
)

func TestHostileForeignRecordingRedacted(t *testing.T) {
	t.Parallel()
	spec, err := qapi.Spec()
	if err != nil {
		t.Fatal(err)
	}
	const (
		password = "foreign-passw0rd"
		token    = "opaque-bearer-0123456789"
		key      = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDtopsecret"
	)
	entry := func(method, url, auth, reqBody string, status int, respBody string) map[string]any {
		e := map[string]any{
			"startedDateTime": "2026-01-01T00:00:00.000Z", "time": 1,
			"request": map[string]any{"method": method, "url": url, "httpVersion": "HTTP/1.1",
				"headers": []map[string]string{{"name": "Authorization", "value": auth}, {"name": "Content-Type", "value": "application/json"}}},
			"response": map[string]any{"status": status, "headers": []map[string]string{{"name": "Content-Type", "value": "application/json"}},
				"content": map[string]any{"mimeType": "application/json", "text": respBody, "size": len(respBody)}},
		}
		if reqBody != "" {
			e["request"].(map[string]any)["postData"] = map[string]string{"mimeType": "application/json", "text": reqBody}
		}
		return e
	}
	kms := `{"type":"KMS","kms_store":{"hostname":"kms","port":5696,"key_id":"k","server_ca_cert":"c","client_cert":"c","client_private_key":"` + key + `"}}`
	h := map[string]any{"log": map[string]any{"version": "1.2", "creator": map[string]string{"name": "browser", "version": "1"}, "entries": []any{
		// a failed login that echoes the password back
		entry("POST", "https://cluster:8000/v1/session/login", "", `{"username":"admin","password":"`+password+`"}`, 500, `{"description":"bad `+password+`"}`),
		// a write that fails and echoes the key, with a bare token
		entry("PUT", "https://cluster:8000/v2/encryption/key-store", token, kms, 500, `{"description":"`+key+`","token":"`+token+`"}`),
		// a read whose answer breaks the schema and quotes the tab-spaced token
		entry("GET", "https://cluster:8000/v2/encryption/key-store", "Bearer\t"+token, "", 200, `{"type":"Local","local_store":{"status":"`+token+`"}}`),
	}}}
	data, _ := json.Marshal(h)
	path := filepath.Join(t.TempDir(), "foreign.har")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	v, err := File(spec, path, false)
	if err != nil {
		t.Fatal(err)
	}
	if v.Exchanges != 3 || !strings.HasSuffix(v.Report.Target, "(3 exchanges)") || !v.Report.Failed() {
		t.Fatalf("exchanges %d, target %q, failed %v", v.Exchanges, v.Report.Target, v.Report.Failed())
	}
	var out bytes.Buffer
	for _, write := range []func() error{
		func() error { return v.Report.WriteText(&out) },
		func() error { return v.Report.WriteJSON(&out) },
		func() error { return v.Report.WriteJUnit(&out) },
		func() error { return v.Report.WriteHTML(&out) },
	} {
		if err := write(); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []string{password, token, key} {
		if strings.Contains(out.String(), s) {
			t.Errorf("a report holds %q", s)
		}
	}
}
