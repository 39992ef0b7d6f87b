package main

// Regression tests for issue 21: keep-alive connections that sit idle, or
// sockets that never speak, filled the connection cap of qapi proxy and
// qapi mock and locked every other client out; a cluster that never
// answered held the proxy's clients for 5 minutes.

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/qapitools/qapi/internal/serve"
)

// fillCap opens serve.MaxConns connections to the server at base: each
// sends one keep-alive request and then sits idle, or (silent) sends
// nothing. A new client is then served within the wait the issue allows,
// and one of those connections was closed.
func fillCap(t *testing.T, base string, silent bool) {
	t.Helper()
	addr := strings.TrimPrefix(base, "http://")
	type open struct {
		c  net.Conn
		br *bufio.Reader
	}
	conns := make([]open, serve.MaxConns)
	for i := range conns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		conns[i] = open{c, bufio.NewReader(c)}
		if silent {
			continue
		}
		if _, err := io.WriteString(c, "GET /v1/version HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(conns[i].br, nil)
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get(base + "/v1/version")
	if err != nil {
		t.Fatalf("a new client was not served: %v", err)
	}
	resp.Body.Close()
	cs := make([]net.Conn, len(conns))
	brs := make([]*bufio.Reader, len(conns))
	for i, o := range conns {
		cs[i], brs[i] = o.c, o.br
	}
	if oneClosed(cs, brs) < 0 {
		t.Error("no idle or silent connection was closed")
	}
}

// oneClosed waits, at most 15 s, for the server to close one of conns,
// and returns its index (-1 for none); the others are left usable.
func oneClosed(conns []net.Conn, readers []*bufio.Reader) int {
	type result struct {
		i      int
		closed bool
	}
	results := make(chan result, len(conns))
	for i := range conns {
		_ = conns[i].SetReadDeadline(time.Now().Add(15 * time.Second))
		go func() {
			_, err := readers[i].ReadByte()
			var ne net.Error
			results <- result{i, err != nil && !(errors.As(err, &ne) && ne.Timeout())}
		}()
	}
	closed := -1
	for range conns {
		if r := <-results; r.closed && closed < 0 {
			closed = r.i
			for _, c := range conns { // end the others' waits
				_ = c.SetReadDeadline(time.Now())
			}
		}
	}
	for _, c := range conns {
		_ = c.SetReadDeadline(time.Time{})
	}
	return closed
}

func TestHostileIdleSocketsProxy(t *testing.T) {
	t.Parallel()
	for _, silent := range []bool{false, true} {
		upstream := httptest.NewServer(http.HandlerFunc(echo))
		t.Cleanup(upstream.Close)
		p := startProxy(t, nil, "--upstream", upstream.URL)
		fillCap(t, p.url, silent)
		p.stop(t)
	}
}

func TestHostileIdleSocketsMock(t *testing.T) {
	t.Parallel()
	for _, silent := range []bool{false, true} {
		url, stop, _ := startMock(t)
		fillCap(t, url, silent)
		stop()
	}
}

// --upstream-timeout bounds the wait on a cluster that never answers.
func TestHostileProxyUpstreamTimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(upstream.Close)
	t.Cleanup(func() { close(release) })
	p := startProxy(t, nil, "--upstream", upstream.URL, "--upstream-timeout", "300ms")
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Get(p.url + "/v1/version")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusGatewayTimeout || !strings.Contains(string(body), "http_gateway_timeout_error") {
		t.Errorf("a silent cluster: %s %s", resp.Status, body)
	}
	p.stop(t)
}
