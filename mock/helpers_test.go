package mock

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// client talks to a mock in a test.
type client struct {
	t     testing.TB
	srv   *Server
	http  *http.Client
	token string
}

// reply is an answer read whole.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) json(t testing.TB) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("answer %d is not a JSON object: %v: %s", r.status, err, r.body)
	}
	return v
}

// newServer starts a mock on loopback for a test and stops it when the test
// ends (mocktest.NewServer, which the package's own tests cannot import).
func newServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := Start(append([]Option{WithAddr("127.0.0.1:0")}, opts...)...)
	if err != nil {
		t.Fatalf("start mock: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("stop mock: %v", err)
		}
	})
	return s
}

// setup starts a mock and logs in to it.
func setup(t testing.TB, opts ...Option) *client {
	t.Helper()
	srv := newServer(t, opts...)
	c := &client{t: t, srv: srv, http: srv.Client()}
	// Connections the client dialed but never used look busy to the
	// server's shutdown for five seconds; close them first.
	t.Cleanup(c.http.CloseIdleConnections)
	c.token = c.login(DefaultUser, DefaultPassword)
	return c
}

func (c *client) login(user, password string) string {
	c.t.Helper()
	r := c.do("POST", "/v1/session/login", map[string]string{"username": user, "password": password}, nil)
	if r.status != http.StatusOK {
		return ""
	}
	tok, _ := r.json(c.t)["bearer_token"].(string)
	return tok
}

// do sends a request with the client's token and fails the test when it
// cannot; body is JSON-encoded unless it is a string, sent as is.
func (c *client) do(method, path string, body any, header map[string]string) reply {
	c.t.Helper()
	r, err := c.try(method, path, body, header)
	if err != nil {
		c.t.Fatal(err)
	}
	return r
}

// try is do for goroutines other than the test's: it returns the error.
func (c *client) try(method, path string, body any, header map[string]string) (reply, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			return reply{}, err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.srv.URL+path, rd)
	if err != nil {
		return reply{}, err
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, v := range header {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return reply{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{}, fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: data}, nil
}

// wantError checks a Qumulo error answer.
func wantError(t testing.TB, r reply, status int, class string) map[string]any {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d: %s", r.status, status, r.body)
	}
	v := r.json(t)
	for _, k := range []string{"module", "error_class", "description"} {
		if s, _ := v[k].(string); s == "" {
			t.Errorf("error answer lacks %s: %s", k, r.body)
		}
	}
	if _, ok := v["stack"].([]any); !ok {
		t.Errorf("error answer's stack is not a list: %s", r.body)
	}
	if class != "" && v["error_class"] != class {
		t.Errorf("error_class = %v, want %s", v["error_class"], class)
	}
	return v
}
