package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"

	"github.com/qapitools/qapi/client"
	"github.com/qapitools/qapi/gen"
)

// startCluster starts a tiny stand-in for a Qumulo cluster on loopback: it
// logs admin in and keeps a key store. Real programs pass the cluster's
// address and CA instead.
func startCluster() *httptest.Server {
	var mu sync.Mutex
	store := []byte(`{"type":"Local","local_store":{"status":"Encrypted"}}`)
	version := 1
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/session/login", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"bearer_token":"session-v1:example"}`)
	})
	mux.HandleFunc("GET /v2/encryption/key-store", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("ETag", fmt.Sprintf(`"%d"`, version))
		_, _ = w.Write(store)
	})
	mux.HandleFunc("PUT /v2/encryption/key-store", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Type     string         `json:"type"`
			KMSStore map[string]any `json:"kms_store"`
		}
		_ = json.NewDecoder(r.Body).Decode(&in)
		mu.Lock()
		defer mu.Unlock()
		if m := r.Header.Get("If-Match"); m != "" && m != fmt.Sprintf(`"%d"`, version) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusPreconditionFailed)
			fmt.Fprint(w, `{"module":"http","error_class":"http_precondition_failed_error","description":"the key store changed","stack":[]}`)
			return
		}
		if in.Type == "KMS" {
			in.KMSStore["config_creation_time"] = "2026-11-28T14:00:00Z"
			delete(in.KMSStore, "client_private_key")
			delete(in.KMSStore, "client_cert")
			delete(in.KMSStore, "server_ca_cert")
			store, _ = json.Marshal(map[string]any{"type": "KMS", "kms_store": in.KMSStore})
		} else {
			store = []byte(`{"type":"Local","local_store":{"status":"Encrypted"}}`)
		}
		version++
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"module":"rest","error_class":"api_no_such_endpoint","description":"no such endpoint","stack":"rest.py:1"}`)
	})
	return httptest.NewServer(mux)
}

// Log in, switch the key store to a KMS and back to local.
func Example() {
	cluster := startCluster()
	defer cluster.Close()
	ctx := context.Background()

	c, err := client.New(cluster.URL, client.WithCredentials("admin", "secret"))
	if err != nil {
		log.Fatal(err)
	}
	err = c.UseKMSKeyStore(ctx, client.KMSConfig{
		Hostname:         "kms.example.com",
		KeyID:            "qumulo-master-key",
		ClientPrivateKey: "-----BEGIN PRIVATE KEY-----\n…\n-----END PRIVATE KEY-----\n",
	})
	if err != nil {
		log.Fatal(err)
	}
	ks, err := c.KeyStore(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if kms, ok := ks.(client.KMSKeyStore); ok {
		fmt.Println("KMS:", kms.Hostname, kms.Port, kms.KeyID, kms.ConfigCreationTime.Format("2006-01-02"))
	}
	if err := c.UseLocalKeyStore(ctx, client.IfMatch(ks.ETag())); err != nil {
		log.Fatal(err)
	}
	ks, err = c.KeyStore(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ks.Type(), ks.(client.LocalKeyStore).Status)
	// Output:
	// KMS: kms.example.com 5696 qumulo-master-key 2026-11-28
	// Local Encrypted
}

// A write with a stale ETag fails with ErrPreconditionFailed instead of
// overwriting someone else's change.
func ExampleIfMatch() {
	cluster := startCluster()
	defer cluster.Close()
	ctx := context.Background()
	c, err := client.New(cluster.URL, client.WithCredentials("admin", "secret"))
	if err != nil {
		log.Fatal(err)
	}

	ks, err := c.KeyStore(ctx)
	if err != nil {
		log.Fatal(err)
	}
	_ = c.UseLocalKeyStore(ctx) // someone else writes meanwhile
	err = c.UseLocalKeyStore(ctx, client.IfMatch(ks.ETag()))
	fmt.Println(client.IsPreconditionFailed(err))
	// Output: true
}

// Errors are *APIError values that errors.Is matches against the sentinels.
func ExampleAPIError() {
	cluster := startCluster()
	defer cluster.Close()
	c, err := client.New(cluster.URL, client.WithCredentials("admin", "secret"))
	if err != nil {
		log.Fatal(err)
	}

	req, _ := http.NewRequest(http.MethodGet, c.BaseURL()+"/v1/no/such/thing", nil)
	resp, err := c.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	err = c.CheckResponse(resp, nil)

	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.ErrorClass, apiErr.Stack)
	}
	fmt.Println(errors.Is(err, client.ErrNotFound), client.IsNotFound(err))
	// Output:
	// 404 api_no_such_endpoint [rest.py:1]
	// true true
}

// Printing a KMSConfig never shows the private key.
func ExampleKMSConfig_String() {
	cfg := client.KMSConfig{
		Hostname:         "kms.example.com",
		KeyID:            "k1",
		ClientCert:       "-----BEGIN CERTIFICATE-----\n…",
		ClientPrivateKey: "-----BEGIN PRIVATE KEY-----\n…",
	}
	fmt.Println(cfg)
	// Output: KMSConfig{Hostname: "kms.example.com", Port: 5696, KeyID: "k1", ServerCACert: none, ClientCert: 31 bytes, ClientPrivateKey: [REDACTED]}
}

// Do sends a request of gen's builders with the same login, retries and
// logging as the services' methods.
func ExampleClient_Do() {
	cluster := startCluster()
	defer cluster.Close()
	c, err := client.New(cluster.URL, client.WithCredentials("admin", "secret"))
	if err != nil {
		log.Fatal(err)
	}

	req, err := gen.NewGetEncryptionKeyStoreRequest(c.BaseURL())
	if err != nil {
		log.Fatal(err)
	}
	r, err := c.Do(req.WithContext(context.Background()))
	if err == nil {
		err = c.CheckResponse(r, nil)
	}
	if err != nil {
		log.Fatal(err)
	}
	defer r.Body.Close()
	var ks gen.EncryptionV2KeyStoreResponseUnion
	if err := json.NewDecoder(r.Body).Decode(&ks); err != nil {
		log.Fatal(err)
	}
	d, _ := ks.Discriminator()
	fmt.Println(d, r.Header.Get("ETag"))
	// Output: Local "1"
}

// Debug logging shows each attempt; secrets never appear. (Time and duration
// are dropped here only to keep the output stable.)
func ExampleWithLogger() {
	cluster := startCluster()
	defer cluster.Close()

	h := slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "duration" {
				return slog.Attr{}
			}
			return a
		},
	})
	c, err := client.New(cluster.URL,
		client.WithCredentials("admin", "secret"),
		client.WithLogger(slog.New(h)))
	if err != nil {
		log.Fatal(err)
	}
	if _, err := c.KeyStore(context.Background()); err != nil {
		log.Fatal(err)
	}
	// Output:
	// level=DEBUG msg="qapi login" user=admin
	// level=DEBUG msg="qapi request" method=POST path=/v1/session/login attempt=1 status=200
	// level=DEBUG msg="qapi request" method=GET path=/v2/encryption/key-store attempt=1 status=200
}
