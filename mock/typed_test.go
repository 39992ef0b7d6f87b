package mock

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	pemOnce           sync.Once
	testCert, testKey string
)

// testPEM is a certificate and private key in PEM form, made once.
func testPEM(t testing.TB) (cert, key string) {
	t.Helper()
	pemOnce.Do(func() {
		_, c, err := selfSigned(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}, time.Now())
		if err != nil {
			panic(err)
		}
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			panic(err)
		}
		testCert, testKey = string(c), string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	})
	return testCert, testKey
}

func kmsBody(t testing.TB, edit func(map[string]any)) map[string]any {
	t.Helper()
	cert, key := testPEM(t)
	store := map[string]any{
		"hostname": "kms.example.com", "port": 5696, "key_id": "master-1",
		"client_cert": cert, "client_private_key": key, "server_ca_cert": cert,
	}
	if edit != nil {
		edit(store)
	}
	return map[string]any{"type": "KMS", "kms_store": store}
}

func TestKeyStoreStartsLocalEncrypted(t *testing.T) {
	t.Parallel()
	c := setup(t)
	r := c.do("GET", "/v2/encryption/key-store", nil, nil)
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	if got, want := strings.TrimSpace(string(r.body)), `{"local_store":{"status":"Encrypted"},"type":"Local"}`; got != want {
		t.Errorf("body = %s, want %s", got, want)
	}
	if r.header.Get("ETag") == "" {
		t.Error("no ETag on a read")
	}
}

func TestKeyStoreSwitchesToKMSAndBack(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, 10, 16, 12, 0, 0, 0, time.UTC)
	c := setup(t, WithClock(func() time.Time { return now }))
	before := c.do("GET", "/v2/encryption/key-store", nil, nil).header.Get("ETag")

	put := c.do("PUT", "/v2/encryption/key-store", kmsBody(t, nil), nil)
	if put.status != http.StatusOK {
		t.Fatalf("PUT KMS: %d %s", put.status, put.body)
	}
	if put.header.Get("ETag") == before {
		t.Error("a write kept the ETag")
	}
	r := c.do("GET", "/v2/encryption/key-store", nil, nil)
	want := `{"kms_store":{"config_creation_time":"2024-10-16T12:00:00Z","hostname":"kms.example.com","key_id":"master-1","port":5696},"type":"KMS"}`
	if got := strings.TrimSpace(string(r.body)); got != want {
		t.Errorf("GET after KMS = %s, want %s", got, want)
	}
	if strings.Contains(string(r.body), "PRIVATE") || strings.Contains(string(r.body), "local_store") {
		t.Errorf("GET leaks the private key or the other arm: %s", r.body)
	}
	if r.header.Get("ETag") != put.header.Get("ETag") {
		t.Errorf("ETag after write = %s, PUT said %s", r.header.Get("ETag"), put.header.Get("ETag"))
	}

	if p := c.do("PUT", "/v2/encryption/key-store", map[string]any{"type": "Local"}, nil); p.status != http.StatusOK {
		t.Fatalf("PUT Local: %d %s", p.status, p.body)
	}
	r = c.do("GET", "/v2/encryption/key-store", nil, nil)
	if got := strings.TrimSpace(string(r.body)); got != `{"local_store":{"status":"Encrypted"},"type":"Local"}` {
		t.Errorf("GET after Local = %s", got)
	}
}

func TestKeyStoreRejectsWhatAClusterRejects(t *testing.T) {
	t.Parallel()
	c := setup(t)
	for _, tc := range []struct {
		name string
		edit func(map[string]any)
		want string // in the description
	}{
		{"no hostname", func(s map[string]any) { delete(s, "hostname") }, "kms_store.hostname"},
		{"empty key id", func(s map[string]any) { s["key_id"] = " " }, "kms_store.key_id"},
		{"port zero", func(s map[string]any) { s["port"] = 0 }, "port"},
		{"port too big", func(s map[string]any) { s["port"] = 70000 }, "port"},
		{"cert not pem", func(s map[string]any) { s["client_cert"] = "hello" }, "kms_store.client_cert"},
		{"key not pem", func(s map[string]any) { s["client_private_key"] = "top secret" }, "kms_store.client_private_key"},
		{"no ca", func(s map[string]any) { delete(s, "server_ca_cert") }, "kms_store.server_ca_cert"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.do("PUT", "/v2/encryption/key-store", kmsBody(t, tc.edit), nil)
			v := wantError(t, r, http.StatusBadRequest, "")
			desc, _ := v["description"].(string)
			if !strings.Contains(desc, tc.want) {
				t.Errorf("description %q does not name %s", desc, tc.want)
			}
			if strings.Contains(desc, "secret") || strings.Contains(desc, "PRIVATE KEY-----") {
				t.Errorf("description leaks the key: %q", desc)
			}
		})
	}
	r := c.do("GET", "/v2/encryption/key-store", nil, nil)
	if !strings.Contains(string(r.body), `"Local"`) {
		t.Errorf("a refused PUT changed the key store: %s", r.body)
	}
}

func TestKeyStoreIfMatch(t *testing.T) {
	t.Parallel()
	c := setup(t)
	tag := c.do("GET", "/v2/encryption/key-store", nil, nil).header.Get("ETag")
	// Clients strip the quotes, or send a list or a weak tag; RFC 9110
	// compares the opaque part.
	for _, form := range []func(string) string{
		func(t string) string { return strings.Trim(t, `"`) },
		func(t string) string { return `"other", ` + t },
		func(t string) string { return "W/" + t },
	} {
		sent := form(tag)
		if r := c.do("PUT", "/v2/encryption/key-store", map[string]any{"type": "Local"}, map[string]string{"If-Match": sent}); r.status != http.StatusOK {
			t.Fatalf("PUT with If-Match %s (current ETag %s): %d %s", sent, tag, r.status, r.body)
		} else {
			tag = r.header.Get("ETag")
		}
	}
	if r := c.do("PUT", "/v2/encryption/key-store", kmsBody(t, nil), map[string]string{"If-Match": tag}); r.status != http.StatusOK {
		t.Fatalf("PUT with the current ETag: %d %s", r.status, r.body)
	}
	r := c.do("PUT", "/v2/encryption/key-store", map[string]any{"type": "Local"}, map[string]string{"If-Match": tag})
	wantError(t, r, http.StatusPreconditionFailed, "rest_precondition_failed_error")
	if got := c.do("GET", "/v2/encryption/key-store", nil, nil); !strings.Contains(string(got.body), `"KMS"`) {
		t.Errorf("a 412 PUT changed the key store: %s", got.body)
	}
}

func TestLogin(t *testing.T) {
	t.Parallel()
	now := time.Now()
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	c := setup(t, WithCredentials("alice", "wonder"), WithTokenLifetime(time.Minute), WithClock(clock))
	if c.token != "" {
		t.Fatal("default credentials logged in to a mock with other credentials")
	}
	wantError(t, c.do("POST", "/v1/session/login", map[string]string{"username": "alice", "password": "nope"}, nil), http.StatusUnauthorized, "auth_invalid_credentials_error")
	c.token = c.login("alice", "wonder")
	if !strings.HasPrefix(c.token, "session-v1:") {
		t.Fatalf("token %q is not a session-v1 token", c.token)
	}
	if r := c.do("GET", "/v2/encryption/key-store", nil, nil); r.status != http.StatusOK {
		t.Fatalf("with a token: %d %s", r.status, r.body)
	}
	for name, h := range map[string]map[string]string{
		"no header":    {"Authorization": ""},
		"wrong scheme": {"Authorization": "Basic YWxpY2U6d29uZGVy"},
		"bad token":    {"Authorization": "Bearer session-v1:forged"},
	} {
		r := c.do("GET", "/v2/encryption/key-store", nil, h)
		if r.status != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", name, r.status)
		}
		wantError(t, r, http.StatusUnauthorized, "http_unauthorized_error")
	}
	mu.Lock()
	now = now.Add(time.Minute + time.Second)
	mu.Unlock()
	r := c.do("GET", "/v2/encryption/key-store", nil, nil)
	v := wantError(t, r, http.StatusUnauthorized, "")
	if d, _ := v["description"].(string); !strings.Contains(d, "expired") {
		t.Errorf("expired token answered %q", d)
	}
}

func TestTLS(t *testing.T) {
	t.Parallel()
	c := setup(t, WithTLS())
	if !strings.HasPrefix(c.srv.URL, "https://") {
		t.Fatalf("URL %s is not https", c.srv.URL)
	}
	if c.token == "" {
		t.Fatal("login over TLS failed")
	}
	// A client that does not trust the certificate must fail.
	if _, err := http.Get(c.srv.URL + "/v2/encryption/key-store"); err == nil {
		t.Error("an untrusting client connected")
	}
}

// An access key created by its typed handler is an item of the engine's:
// listed and deleted there, never with its secret, and deleting one
// makes room for another under the two-key limit.
func TestTypedAccessKeyIsTheEnginesItem(t *testing.T) {
	t.Parallel()
	c := setup(t)
	c.do("POST", "/v1/users/", map[string]any{"name": "keyholder", "primary_group": "513"}, nil)
	var ids []string
	for range maxAccessKeys {
		r := c.do("POST", "/v1/s3/access-keys/", map[string]any{"user": map[string]any{"name": "keyholder"}}, nil)
		k := r.json(t)
		if secret, _ := k["secret_access_key"].(string); r.status != http.StatusOK || secret == "" {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		ids = append(ids, k["access_key_id"].(string))
	}
	listed := func() []any {
		list := c.do("GET", "/v1/s3/access-keys/?user=keyholder", nil, nil)
		if strings.Contains(string(list.body), "secret") {
			t.Errorf("a listing shows a secret: %s", list.body)
		}
		entries, _ := list.json(t)["entries"].([]any)
		return entries
	}
	keys := listed()
	if len(keys) != maxAccessKeys || keys[0].(map[string]any)["access_key_id"] != ids[0] {
		t.Fatalf("listing: %v", keys)
	}
	if owner, _ := keys[0].(map[string]any)["owner"].(map[string]any); owner["name"] != "keyholder" || owner["domain"] != "LOCAL" {
		t.Errorf("owner = %v", owner)
	}
	wantError(t, c.do("POST", "/v1/s3/access-keys/", map[string]any{"user": map[string]any{"name": "keyholder"}}, nil), http.StatusConflict, "s3_access_key_limit_reached_error")
	if r := c.do("DELETE", "/v1/s3/access-keys/"+ids[0], nil, nil); r.status != http.StatusOK {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	wantError(t, c.do("DELETE", "/v1/s3/access-keys/"+ids[0], nil, nil), http.StatusNotFound, "rest_not_found_error")
	if keys := listed(); len(keys) != 1 {
		t.Errorf("listing after a delete: %v", keys)
	}
	if r := c.do("POST", "/v1/s3/access-keys/", map[string]any{"user": map[string]any{"name": "keyholder"}}, nil); r.status != http.StatusOK {
		t.Errorf("a key after one was deleted: %d %s", r.status, r.body)
	}
}

// A tree delete started by its typed handler runs on the engine's file
// system: the tree is there while the job runs and gone, with its quota,
// once a poll has seen the job finish.
func TestTypedTreeDeleteActsOnTheEnginesTree(t *testing.T) {
	t.Parallel()
	c := setup(t)
	dir := c.do("POST", "/v1/files/%2F/entries/", map[string]any{"name": "doomed", "action": "CREATE_DIRECTORY"}, nil).json(t)["id"].(string)
	c.do("POST", "/v1/files/"+dir+"/entries/", map[string]any{"name": "f", "action": "CREATE_FILE"}, nil)
	c.do("POST", "/v1/files/quotas/", map[string]any{"id": dir, "limit": "1000"}, nil)
	if r := c.do("POST", "/v1/tree-delete/jobs/", map[string]any{"id": "/doomed"}, nil); r.status != http.StatusAccepted {
		t.Fatalf("start: %d %s", r.status, r.body)
	}
	if r := c.do("GET", "/v1/files/%2Fdoomed%2Ff/info/attributes", nil, nil); r.status != http.StatusOK {
		t.Errorf("the tree is gone while its job runs: %d", r.status)
	}
	job := c.do("GET", "/v1/tree-delete/jobs/"+dir, nil, nil).json(t)
	if job["id"] != dir || job["initial_path"] != "/doomed/" || job["initial_files"] != "1" {
		t.Errorf("job = %v", job)
	}
	wantError(t, c.do("GET", "/v1/tree-delete/jobs/"+dir, nil, nil), http.StatusNotFound, "rest_not_found_error")
	wantError(t, c.do("GET", "/v1/files/"+dir+"/info/attributes", nil, nil), http.StatusNotFound, "fs_no_such_entry_error")
	wantError(t, c.do("GET", "/v1/files/quotas/"+dir, nil, nil), http.StatusNotFound, "api_quotas_quota_limit_not_found_error")
	if jobs := c.do("GET", "/v1/tree-delete/jobs/", nil, nil).json(t)["jobs"]; len(jobs.([]any)) != 0 {
		t.Errorf("jobs after the end: %v", jobs)
	}
}

// The version is answered in the form clients parse, with an ETag.
func TestTypedVersion(t *testing.T) {
	t.Parallel()
	c := setup(t)
	r := c.do("GET", "/v1/version", nil, map[string]string{"Authorization": ""})
	if v := r.json(t); r.status != http.StatusOK || !strings.HasPrefix(v["revision_id"].(string), "Qumulo Core 7.") || r.header.Get("ETag") == "" {
		t.Errorf("version: %d %v %v", r.status, r.header, v)
	}
}
