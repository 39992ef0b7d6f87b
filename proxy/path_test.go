package proxy_test

// Regression tests for issue 21: non-canonical paths passed unchecked as
// "outside the spec", even with FailOnViolation, to an upstream that may
// merge slashes and act on them.

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/qapitools/qapi/proxy"
)

// rawCall sends one request with its request-target exactly as given, which
// an http.Client might clean or escape.
func rawCall(t *testing.T, base, method, target, body string) (int, string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", strings.TrimPrefix(base, "http://"), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	fmt.Fprintf(c, "%s %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer tok\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", method, target, len(body), body)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// pathUpstream answers every request with doc and records the
// request-targets it got.
func pathUpstream(t *testing.T, doc string) (string, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var got []string
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Method+" "+r.RequestURI)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, doc)
	}))
	t.Cleanup(up.Close)
	return up.URL, func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := got
		got = nil
		return out
	}
}

var nonCanonical = []string{
	"//v1/cluster/settings",
	"/v1//cluster/settings",
	"/v1/./cluster/settings",
	"/v1/%63luster/settings",
	"/v1/%63%6C%75ster/settings",
	"/v1/nodes/../cluster/settings",
	"/v1/%2e/cluster/%2E/settings",
	"///v1///cluster///settings",
}

// Each non-canonical form of a path in the spec is checked as that path:
// a violating request is refused with FailOnViolation, a valid one reaches
// the upstream under the canonical path, and none is counted outside the
// spec.
func TestNonCanonicalPathsChecked(t *testing.T) {
	t.Parallel()
	up, got := pathUpstream(t, `{"cluster_name":"c"}`)
	e := setupUpstream(t, up, nil, func(c *proxy.Config) { c.FailOnViolation = true }, nil)
	for _, path := range nonCanonical {
		if status, body := rawCall(t, e.url, "PUT", path, `{"cluster_name":5}`); status != http.StatusBadRequest || !strings.Contains(body, "qapi_contract_violation_error") {
			t.Errorf("PUT %s with a violating body: %d %s", path, status, body)
		}
		if g := got(); len(g) != 0 {
			t.Errorf("PUT %s: a violating request reached the upstream as %v", path, g)
		}
		if status, body := rawCall(t, e.url, "GET", path, ""); status != http.StatusOK {
			t.Errorf("GET %s: %d %s", path, status, body)
		}
		if g := got(); len(g) != 1 || g[0] != "GET /v1/cluster/settings" {
			t.Errorf("GET %s reached the upstream as %v, want GET /v1/cluster/settings", path, g)
		}
	}
	e.settle()
	if out := e.proxy.Outside(); len(out) != 0 {
		t.Errorf("counted outside the spec: %+v", out)
	}
}

// A path whose ".." climbs above the root is refused without reaching the
// upstream; an escaped slash in a file path stays escaped, and the file
// path stays one segment routed to its operation.
func TestPathAboveRootRefusedEscapedSlashKept(t *testing.T) {
	t.Parallel()
	doc, err := openapi3.NewLoader().LoadFromData([]byte(filesSpec))
	if err != nil {
		t.Fatal(err)
	}
	up, got := pathUpstream(t, `{"path":"/dir/file"}`)
	e := setupUpstream(t, up, nil, func(c *proxy.Config) { c.Spec = doc }, nil)
	for _, path := range []string{"/../v1/files/2/info/attributes", "/v1/../../files/2/info/attributes", "/v1/%2E%2E/%2e%2e/x"} {
		if status, body := rawCall(t, e.url, "GET", path, ""); status != http.StatusBadRequest || !strings.Contains(body, `"error_class":"http_bad_request_error"`) {
			t.Errorf("GET %s: %d %s", path, status, body)
		}
	}
	if g := got(); len(g) != 0 {
		t.Errorf("paths above the root reached the upstream: %v", g)
	}
	for path, want := range map[string]string{
		"/v1/files/%2Fdir%2Ffile/info/attributes":          "/v1/files/%2Fdir%2Ffile/info/attributes",
		"//v1/files/%2Fdir%2F..%2Ffile/info/attributes":    "/v1/files/%2Fdir%2F..%2Ffile/info/attributes",
		"/v1/files/%2F%64ir%2F%2Ffile/./info/attributes":   "/v1/files/%2Fdir%2F%2Ffile/info/attributes",
		"/v1/files/%2Fa%20b%3F/info/attributes?x=%2F..//.": "/v1/files/%2Fa%20b%3F/info/attributes?x=%2F..//.",
	} {
		if status, body := rawCall(t, e.url, "GET", path, ""); status != http.StatusOK {
			t.Errorf("GET %s: %d %s", path, status, body)
		}
		if g := got(); len(g) != 1 || g[0] != "GET "+want {
			t.Errorf("GET %s reached the upstream as %v, want %s", path, g, want)
		}
	}
	e.settle()
	if out := e.proxy.Outside(); len(out) != 0 {
		t.Errorf("counted outside the spec: %+v", out)
	}
}
