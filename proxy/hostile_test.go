package proxy_test

// Regression tests for issue 10 (hostile peers and hostile input), and for
// what real clients' traffic showed.

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/qapitools/qapi/proxy"
)

// filesSpec has the one files operation whose {ref} a client sends as a
// URL-encoded path.
const filesSpec = `openapi: 3.0.3
info: {title: files, version: "1"}
paths:
  /v1/files/{ref}/info/attributes:
    get:
      operationId: getFileAttributes
      parameters:
        - {name: ref, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  path: {type: string}
`

func jsonUpstream(t *testing.T, body string) string {
	t.Helper()
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(up.Close)
	return up.URL
}

// The recording keeps the path as the client escaped it, so a file path in
// {ref} stays one segment: the proxy and verify both route it to its
// operation (they counted it outside the spec before).
func TestHostileEncodedPathKeptRaw(t *testing.T) {
	t.Parallel()
	doc, err := openapi3.NewLoader().LoadFromData([]byte(filesSpec))
	if err != nil {
		t.Fatal(err)
	}
	e := setupUpstream(t, jsonUpstream(t, `{"path":"/dir/file"}`), nil, func(c *proxy.Config) { c.Spec = doc }, nil)
	call(t, "GET", e.url+"/v1/files/%2Fdir%2Ffile/info/attributes", "tok", "")
	e.settle()
	if out := e.proxy.Outside(); len(out) != 0 {
		t.Errorf("the proxy counted %+v outside the spec", out)
	}
	data, err := os.ReadFile(e.har)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "/v1/files/%2Fdir%2Ffile/info/attributes") {
		t.Errorf("the recording lost the escaping of the path:\n%s", data)
	}
}

// Requests outside the spec are logged once per method and path, and
// counted.
func TestHostileOutsideSpecLoggedOnce(t *testing.T) {
	t.Parallel()
	e := setupUpstream(t, jsonUpstream(t, `{"revision_id":"Qumulo Core 7.2.3"}`), nil, nil, nil)
	for range 3 {
		call(t, "GET", e.url+"/v1/not-in-the-spec", "", "")
	}
	call(t, "DELETE", e.url+"/v1/nowhere", "", "")
	e.settle()
	lines := 0
	for _, l := range strings.Split(e.logs.String(), "\n") {
		if strings.Contains(l, "outside the spec") {
			lines++
		}
	}
	if lines != 2 {
		t.Errorf("%d log lines about requests outside the spec, want 2:\n%s", lines, e.logs.String())
	}
	got, _ := json.Marshal(e.proxy.Outside())
	if want := `[{"Method":"GET","Path":"/v1/not-in-the-spec","Count":3},{"Method":"DELETE","Path":"/v1/nowhere","Count":1}]`; string(got) != want {
		t.Errorf("Outside() = %s, want %s", got, want)
	}
}

// Bodies kept for the checks share one budget: while one exchange holds it,
// another body streams through whole with its schema unchecked, and the log
// says so.
func TestHostileKeptBytesBounded(t *testing.T) {
	t.Parallel()
	arrived, release := make(chan struct{}), make(chan struct{})
	var mu sync.Mutex
	got := map[int]int{}
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got[len(b)]++
		mu.Unlock()
		if len(b) == 40<<10 {
			close(arrived)
			<-release
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(up.Close)
	e := setupUpstream(t, up.URL, nil, func(c *proxy.Config) { c.MaxBodyBytes, c.MaxKeptBytes = 64<<10, 64<<10 }, nil)
	body := func(n int) string {
		return `{"type":"Local","pad":"` + strings.Repeat("x", n-len(`{"type":"Local","pad":""}`)) + `"}`
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		call(t, "PUT", e.url+"/v2/encryption/key-store", "tok", body(40<<10))
	}()
	<-arrived // the first exchange holds its 40 KiB until released
	call(t, "PUT", e.url+"/v2/encryption/key-store", "tok", body(30<<10))
	close(release)
	<-done
	e.settle()
	mu.Lock()
	defer mu.Unlock()
	if got[30<<10] != 1 {
		t.Errorf("the second body did not reach the upstream whole: %v", got)
	}
	if !strings.Contains(e.logs.String(), "request body too large to keep") {
		t.Errorf("no note of the unchecked body:\n%s", e.logs.String())
	}
}
