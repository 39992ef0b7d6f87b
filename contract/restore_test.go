package contract_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qapitools/qapi/check"
	"github.com/qapitools/qapi/client"
	"github.com/qapitools/qapi/contract"
	"github.com/qapitools/qapi/convert"
	"github.com/qapitools/qapi/mock"
	"github.com/qapitools/qapi/mock/mocktest"
)

// cancelAfterWrite cancels the run as soon as a write that switches the key
// store to KMS has succeeded, as a user pressing Ctrl-C mid-run would.
type cancelAfterWrite struct {
	next   http.RoundTripper
	cancel context.CancelFunc
}

func (c cancelAfterWrite) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.GetBody != nil {
		if r, err := req.GetBody(); err == nil {
			body, _ = io.ReadAll(r)
		}
	}
	resp, err := c.next.RoundTrip(req)
	if err == nil && req.Method == http.MethodPut && resp.StatusCode < 300 && strings.Contains(string(body), `"KMS"`) {
		c.cancel()
	}
	return resp, err
}

// A run with writes against a real target puts back what it changed even
// when it is interrupted right after a write.
func TestInterruptedRunRestoresState(t *testing.T) {
	t.Parallel()
	spec, err := keyStoreSpec()
	if err != nil {
		t.Fatal(err)
	}
	srv := mocktest.NewServer(t, mock.WithSpec(spec))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	client := &http.Client{Transport: cancelAfterWrite{next: http.DefaultTransport, cancel: cancel}}
	rep, err := contract.Run(ctx, contract.Config{Spec: spec, BaseURL: srv.URL, HTTPClient: client, Username: mock.DefaultUser, Password: mock.DefaultPassword, Seed: 5, Access: contract.AllowDisruptive})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Interrupted || !rep.Failed() {
		t.Errorf("interrupted run: Interrupted=%v Failed=%v", rep.Interrupted, rep.Failed())
	}
	if len(rep.Restored) != 1 || rep.Restored[0] != "PUT /v2/encryption/key-store" || len(rep.RestoreErrors) > 0 {
		t.Fatalf("restored %v, errors %v", rep.Restored, rep.RestoreErrors)
	}
	var b strings.Builder
	_ = rep.WriteText(&b)
	if !strings.Contains(b.String(), "interrupted") {
		t.Errorf("summary does not say the run was interrupted:\n%s", b.String())
	}
	if got := keyStoreType(t, srv); got != "Local" {
		t.Errorf("after restore the key store is %q, want the Local it started as", got)
	}
}

func keyStoreType(t *testing.T, srv *mock.Server) string {
	t.Helper()
	body := strings.NewReader(`{"username":"admin","password":"admin"}`)
	resp, err := http.Post(srv.URL+"/v1/session/login", "application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	var cred struct {
		BearerToken string `json:"bearer_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&cred)
	resp.Body.Close()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v2/encryption/key-store", nil)
	req.Header.Set("Authorization", "Bearer "+cred.BearerToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var ks struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(data, &ks)
	return ks.Type
}

// A run with Restore removes the items it created for operations to act on:
// the twin's collections are as a fresh cluster has them afterwards.
func TestRestoreRemovesCreatedItems(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("..", "..", "shared", "corpus", "qumulo-rest-api-guide-2024-10-16")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("no corpus at %s", dir)
	}
	built, err := convert.Build([]convert.Source{{Name: "guide", FS: os.DirFS(dir)}}, nil, convert.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := mocktest.NewServer(t, mock.WithSpec(built.Doc))
	rep, err := contract.Run(context.Background(), contract.Config{Spec: built.Doc, BaseURL: srv.URL, HTTPClient: srv.Client(),
		Username: mock.DefaultUser, Password: mock.DefaultPassword, Seed: 2, Access: contract.AllowWrites, Checks: []string{check.StatefulRoundTrip}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.RestoreErrors) > 0 {
		t.Errorf("restore errors: %v", rep.RestoreErrors)
	}
	for path, want := range map[string]int{"/v3/smb/shares/": 0, "/v2/snapshots/": 0, "/v1/auth/access-tokens/": 0} {
		if n := count(t, srv, path); n != want {
			t.Errorf("%s lists %d items after the run, want %d", path, n, want)
		}
	}
}

// count is the number of entries a list answers.
func count(t *testing.T, srv *mock.Server, path string) int {
	t.Helper()
	c, err := client.New(srv.URL, client.WithHTTPClient(srv.Client()), client.WithCredentials(mock.DefaultUser, mock.DefaultPassword))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v any
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	if m, ok := v.(map[string]any); ok {
		for _, e := range m {
			if list, ok := e.([]any); ok {
				return len(list)
			}
		}
	}
	list, _ := v.([]any)
	return len(list)
}
