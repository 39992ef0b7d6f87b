package apidiff

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

// A cluster's document is read at /openapi.json; a redirect to another
// host, an answer over the bound or an error status fail, naming the URL.
func TestFetch(t *testing.T) {
	t.Parallel()
	spec, err := os.ReadFile("testdata/vendor-like.json")
	if err != nil {
		t.Fatal(err)
	}
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(spec) }))
	t.Cleanup(other.Close)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/openapi.json":
			if r.Header.Get("Authorization") != "Bearer tok" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			_, _ = w.Write(spec)
		case "/away/openapi.json":
			http.Redirect(w, r, other.URL+"/openapi.json", http.StatusFound)
		case "/here/openapi.json":
			http.Redirect(w, r, "/openapi.json", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	for _, tc := range []struct {
		url, token string
		max        int64
		want       string
	}{
		{srv.URL, "tok", 0, ""},
		{srv.URL + "/here", "tok", 0, ""},
		{srv.URL, "", 0, "/openapi.json: answered 401 Unauthorized: it needs a token"},
		{srv.URL + "/away", "tok", 0, "redirect to another host"},
		{srv.URL, "tok", 100, "the answer is over 100 bytes"},
		{srv.URL + "/none", "tok", 0, "answered 404"},
	} {
		doc, err := Fetch(context.Background(), Cluster{URL: tc.url, Client: srv.Client(), Token: tc.token, MaxBytes: tc.max})
		switch {
		case tc.want == "" && (err != nil || doc.Paths.Value("/v1/nfs/exports/") == nil):
			t.Errorf("%s: %v", tc.url, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.url)):
			t.Errorf("%s: error %v, want %q naming the URL", tc.url, err, tc.want)
		}
	}
}

// A cluster URL names its document; port 8000 when it names none.
func TestSpecURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://cluster":                   "https://cluster:8000/openapi.json",
		"https://cluster:9000/":             "https://cluster:9000/openapi.json",
		"http://10.0.0.1:8000/openapi.json": "http://10.0.0.1:8000/openapi.json",
	} {
		u, err := SpecURL(in)
		if err != nil || u.String() != want {
			t.Errorf("%s: %v %v, want %s", in, u, err, want)
		}
	}
	if _, err := SpecURL("ftp://cluster"); err == nil {
		t.Error("ftp accepted")
	}
}
