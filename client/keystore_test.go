package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/qapitools/qapi/gen"
)

// testPrivateKey is a made-up PEM private key; only its shape matters.
const testPrivateKey = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDtopsecretkeymaterial\nZm9vYmFyYmF6cXV4c2VjcmV0\n-----END PRIVATE KEY-----\n"

// testKeyMaterial is a line of testPrivateKey that must never be seen again.
const testKeyMaterial = "Zm9vYmFyYmF6cXV4c2VjcmV0"

func TestKeyStoreLocalThenKMSThenLocal(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()

	ks, err := e.c.KeyStore(ctx)
	if err != nil {
		t.Fatal(err)
	}
	local, ok := ks.(LocalKeyStore)
	if !ok || local.Status != NotEncrypted || ks.Type() != "Local" || ks.ETag() != `"1"` {
		t.Fatalf("KeyStore = %#v (ETag %q), want local, not encrypted, ETag \"1\"", ks, ks.ETag())
	}

	cfg := KMSConfig{Hostname: "kms.example.com", KeyID: "key-1", ServerCACert: "CA PEM", ClientCert: "CERT PEM", ClientPrivateKey: testPrivateKey}
	if err := e.c.UseKMSKeyStore(ctx, cfg, IfMatch(ks.ETag())); err != nil {
		t.Fatal(err)
	}
	e.fake.mu.Lock()
	put := e.fake.puts[len(e.fake.puts)-1]
	e.fake.mu.Unlock()
	var sent map[string]any
	if err := json.Unmarshal(put, &sent); err != nil {
		t.Fatal(err)
	}
	store, _ := sent["kms_store"].(map[string]any)
	if sent["type"] != "KMS" || store["hostname"] != "kms.example.com" || store["port"] != float64(DefaultKMSPort) ||
		store["key_id"] != "key-1" || store["server_ca_cert"] != "CA PEM" || store["client_cert"] != "CERT PEM" ||
		store["client_private_key"] != testPrivateKey {
		t.Errorf("PUT body = %s", put)
	}
	var sawIfMatch bool
	for _, r := range e.fake.seen() {
		if r.Method == http.MethodPut && r.IfMatch == `"1"` {
			sawIfMatch = true
		}
	}
	if !sawIfMatch {
		t.Error("the PUT did not carry If-Match: \"1\"")
	}

	ks, err = e.c.KeyStore(ctx)
	if err != nil {
		t.Fatal(err)
	}
	kms, ok := ks.(KMSKeyStore)
	if !ok {
		t.Fatalf("KeyStore = %#v, want KMS", ks)
	}
	want := time.Date(2026, 11, 28, 14, 0, 0, 5e8, time.UTC)
	if kms.Hostname != "kms.example.com" || kms.Port != 5696 || kms.KeyID != "key-1" ||
		!kms.ConfigCreationTime.Equal(want) || kms.ETag() != `"2"` || kms.Type() != "KMS" {
		t.Errorf("KMS = %+v, ETag %q", kms, kms.ETag())
	}

	// The ETag read before the switch is stale now.
	err = e.c.UseLocalKeyStore(ctx, IfMatch(`"1"`))
	if !IsPreconditionFailed(err) {
		t.Errorf("stale If-Match: err = %v, want precondition failed", err)
	}
	if err := e.c.UseLocalKeyStore(ctx, IfMatch(ks.ETag())); err != nil {
		t.Fatal(err)
	}
	ks, err = e.c.KeyStore(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if l, ok := ks.(LocalKeyStore); !ok || l.Status != Encrypted {
		t.Errorf("KeyStore = %#v, want local, encrypted", ks)
	}
}

func TestUseKMSKeyStoreValidates(t *testing.T) {
	t.Parallel()
	e := setup(t)
	for _, cfg := range []KMSConfig{
		{KeyID: "k"},
		{Hostname: "h"},
		{Hostname: "h", KeyID: "k", Port: 70000},
	} {
		err := e.c.UseKMSKeyStore(context.Background(), cfg)
		if err == nil {
			t.Errorf("%v: no error", cfg)
		}
	}
	err := e.c.UseKMSKeyStore(context.Background(), KMSConfig{ClientPrivateKey: testPrivateKey})
	if err == nil || !strings.Contains(err.Error(), "KMSConfig.Hostname and KMSConfig.KeyID") {
		t.Errorf("err = %v, want both fields named", err)
	}
	if n := len(e.fake.seen()); n != 0 {
		t.Errorf("invalid configs sent %d requests", n)
	}
}

// An answer outside the contract is a decode error that names the culprit.
func TestKeyStoreUndecodable(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		store map[string]any
		want  string
	}{
		"unknown type": {map[string]any{"type": "HSM"}, "HSM"},
		"time not RFC 3339": {map[string]any{"type": "KMS", "kms_store": map[string]any{
			"hostname": "kms", "port": 5696, "key_id": "k", "config_creation_time": "28 Nov 2026 14:00",
		}}, "28 Nov 2026 14:00"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := setup(t)
			e.fake.mu.Lock()
			e.fake.store = tc.store
			e.fake.mu.Unlock()
			_, err := e.c.KeyStore(context.Background())
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "decode") {
				t.Errorf("err = %v, want a decode error naming %q", err, tc.want)
			}
		})
	}
}

// A RequestOption is a function of the request, so IfMatch guards a
// request of gen's builders sent with Do too.
func TestIfMatchOnDo(t *testing.T) {
	t.Parallel()
	e := setup(t)
	var body gen.EncryptionV2PutKeyStoreUnion
	if err := body.FromEncryptionV2PutKeyStoreLocal(gen.EncryptionV2PutKeyStoreLocal{}); err != nil {
		t.Fatal(err)
	}
	req, err := gen.NewReplaceEncryptionKeyStoreRequest(e.c.BaseURL(), body)
	if err != nil {
		t.Fatal(err)
	}
	if err := IfMatch(`"7"`)(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	r, err := e.c.Do(req.WithContext(t.Context()))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.c.CheckResponse(r, nil); !IsPreconditionFailed(err) {
		t.Errorf("stale If-Match through Do: err = %v, want precondition failed", err)
	}
}

// IfMatch("") fails the call before anything is sent, rather than send the
// write unguarded.
type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

// unsentClient is a client whose every request fails; sent tells whether
// one was tried, for tests of what is refused before anything is sent.
func unsentClient(t *testing.T) (c *Client, sent *bool) {
	t.Helper()
	sent = new(bool)
	c, err := New("http://127.0.0.1:1", WithToken("session-v1:t"), WithHTTPClient(&http.Client{Transport: roundTrip(func(*http.Request) (*http.Response, error) {
		*sent = true
		return nil, errors.New("unreachable")
	})}))
	if err != nil {
		t.Fatal(err)
	}
	return c, sent
}

func TestIfMatchEmptyIsAnError(t *testing.T) {
	t.Parallel()
	c, sent := unsentClient(t)
	if err := c.UseLocalKeyStore(context.Background(), IfMatch("")); !errors.Is(err, ErrEmptyETag) || *sent {
		t.Errorf("IfMatch(\"\"): err %v, sent %v; want ErrEmptyETag and nothing sent", err, *sent)
	}
}

// An If-Match in a call's params and a different one by IfMatch fail the
// call before anything is sent: neither silently wins.
func TestIfMatchTwiceIsAnError(t *testing.T) {
	t.Parallel()
	c, sent := unsentClient(t)
	etag := `"7"`
	_, err := c.SMB.UpdateShare(context.Background(), "projects", &gen.UpdateSMBShareParams{IfMatch: &etag}, gen.SMBShareV3{}, IfMatch(`"8"`))
	if !errors.Is(err, ErrIfMatchTwice) || *sent {
		t.Errorf("two If-Match values: err %v, sent %v; want ErrIfMatchTwice and nothing sent", err, *sent)
	}
}

// A required query parameter is checked before anything is sent: a nil
// params fails the call with an error that names the parameter.
func TestRequiredParamsCheckedBeforeSending(t *testing.T) {
	t.Parallel()
	c, sent := unsentClient(t)
	err := c.S3.DeleteBucket(context.Background(), "media", nil)
	if !errors.Is(err, ErrMissingParams) || !strings.Contains(err.Error(), "delete-root-dir") || *sent {
		t.Errorf("DeleteBucket without params: err %v, sent %v", err, *sent)
	}
	if _, err := c.Snapshots.List(context.Background(), nil); !errors.Is(err, ErrMissingParams) || !strings.Contains(err.Error(), "filter") {
		t.Errorf("Snapshots.List without params: %v", err)
	}
}
