package mock

// Regression tests for issue 10 (hostile peers and hostile input).

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/qapitools/qapi/internal/serve"
)

// Bodies Go's decoder takes and a cluster refuses get 400, with a
// description that names the place and shows no Go internals.
func TestHostileLenientBodiesRefused(t *testing.T) {
	t.Parallel()
	c := setup(t)
	kms := func(port string) string {
		return `{"type":"KMS","kms_store":{"hostname":"kms","port":` + port + `,"key_id":"k","server_ca_cert":"c","client_cert":"c","client_private_key":"p"}}`
	}
	for name, tc := range map[string]struct{ body, want string }{
		"trailing garbage":       {`{"type":"Local"} xyz`, "byte 17: data after the JSON value"},
		"two documents":          {`{"type":"Local"}{"type":"Local"}`, "byte 16: data after the JSON value"},
		"invalid UTF-8 in a key": {"{\"type\":\"Local\",\"k\xffey\":1}", "byte 18: invalid UTF-8"},
		"fraction for integer":   {kms("5696.0"), "/kms_store/port: value must be an integer"},
		"number out of range":    {kms("1e400"), "/kms_store/port: number 1e400 is out of range"},
	} {
		r := c.do("PUT", "/v2/encryption/key-store", tc.body, nil)
		v := wantError(t, r, http.StatusBadRequest, "http_bad_request_error")
		desc, _ := v["description"].(string)
		if !strings.Contains(desc, tc.want) || strings.Contains(desc, "Go ") {
			t.Errorf("%s: description %q, want it to say %q", name, desc, tc.want)
		}
	}
}

// The server cuts slow and idle peers, and at its cap a new client takes
// the place of an idle connection (issue 21) instead of waiting for one to
// time out; internal/serve's tests hold the cap itself.
func TestHostileServerLimits(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	if s.srv.ReadHeaderTimeout <= 0 || s.srv.ReadTimeout <= 0 || s.srv.WriteTimeout <= 0 || s.srv.IdleTimeout <= 0 {
		t.Errorf("timeouts: header %v, read %v, write %v, idle %v; want all set",
			s.srv.ReadHeaderTimeout, s.srv.ReadTimeout, s.srv.WriteTimeout, s.srv.IdleTimeout)
	}
	addr := strings.TrimPrefix(s.URL, "http://")
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	get := "GET /v1/session/login HTTP/1.1\r\nHost: x\r\n\r\n"
	var readers []*bufio.Reader
	for range serve.MaxConns {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, conn)
		// An answer proves the server took the connection.
		fmt.Fprint(conn, get)
		br := bufio.NewReader(conn)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		readers = append(readers, br)
	}
	extra, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	fmt.Fprint(extra, get)
	_ = extra.SetReadDeadline(time.Now().Add(15 * time.Second))
	if _, err := http.ReadResponse(bufio.NewReader(extra), nil); err != nil {
		t.Fatalf("connection %d was not served while %d idle ones were open: %v", serve.MaxConns+1, serve.MaxConns, err)
	}
	// One of the idle ones made way; which, is the server's own timing.
	closed := make(chan error, len(held))
	for i, c := range held {
		_ = c.SetReadDeadline(time.Now().Add(15 * time.Second))
		go func() {
			_, err := readers[i].ReadByte()
			closed <- err
		}()
	}
	var ne net.Error
	if err := <-closed; err == nil || (errors.As(err, &ne) && ne.Timeout()) {
		t.Errorf("no idle connection was closed (%v)", err)
	}
}

// A JSON body is decoded once, strictly, and every consumer acts on that
// value: a name given twice, or a member that a case-insensitive struct
// decoder would take for a declared property, is refused rather than read
// one way by validation and another by a handler; a body an operation does
// not take is not read as JSON at all.
func TestBodyDecodedOnce(t *testing.T) {
	t.Parallel()
	c := setup(t)
	// Validation saw username "nobody"; the typed login decoded "admin".
	r := c.do("POST", "/v1/session/login", `{"username":"nobody","password":"admin","Username":"admin"}`, map[string]string{"Authorization": ""})
	v := wantError(t, r, http.StatusBadRequest, "http_bad_request_error")
	if desc, _ := v["description"].(string); !strings.Contains(desc, `/Username: names are case-sensitive`) {
		t.Errorf("description %q does not name the member", desc)
	}
	r = c.do("POST", "/v1/files/%2F/entries/", `{"name":"first","action":"CREATE_DIRECTORY","name":"second"}`, nil)
	v = wantError(t, r, http.StatusBadRequest, "http_bad_request_error")
	if desc, _ := v["description"].(string); !strings.Contains(desc, "/name: name given twice") {
		t.Errorf("description %q does not name the member", desc)
	}
	for _, name := range []string{"first", "second"} {
		wantError(t, c.do("GET", "/v1/files/%2F"+name+"/info/attributes", nil, nil), http.StatusNotFound, "fs_no_such_entry_error")
	}
	c.do("POST", "/v1/files/%2F/entries/", map[string]any{"name": "d", "action": "CREATE_DIRECTORY"}, nil)
	if r := c.do("DELETE", "/v1/files/%2Fd", "not JSON", map[string]string{"Content-Type": "text/plain"}); r.status != http.StatusOK {
		t.Errorf("DELETE with a body it does not take: %d %s", r.status, r.body)
	}
}
