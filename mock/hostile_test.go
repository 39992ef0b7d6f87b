package mock

// Regression tests for issue 10 (hostile peers and hostile input).

import (
	"bufio"
	"fmt"
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

// The server cuts slow and idle peers and stops accepting at its cap.
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
	for range serve.MaxConns {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, conn)
		// An answer proves the server took the connection.
		fmt.Fprint(conn, get)
		if _, err := http.ReadResponse(bufio.NewReader(conn), nil); err != nil {
			t.Fatal(err)
		}
	}
	extra, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	fmt.Fprint(extra, get)
	br := bufio.NewReader(extra)
	_ = extra.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if _, err := br.Peek(1); err == nil {
		t.Fatalf("connection %d was served while %d were open", serve.MaxConns+1, serve.MaxConns)
	}
	held[0].Close()
	_ = extra.SetReadDeadline(time.Time{})
	if _, err := http.ReadResponse(br, nil); err != nil {
		t.Fatalf("connection %d was not served after one closed: %v", serve.MaxConns+1, err)
	}
}
