package proxy_test

// Regression tests for issue 21: a cluster that trickles or never answers
// held the client until the cluster itself gave up.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/qapitools/qapi/proxy"
)

const upstreamTimeout = 300 * time.Millisecond

// trickler is a loopback upstream that reads a request, then sends head at
// once and slow one byte every gap; cut is closed when the proxy hangs up
// before the answer is out, done when it is all sent.
func trickler(t *testing.T, head, slow string, gap time.Duration) (url string, cut, done chan struct{}) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	cut, done = make(chan struct{}), make(chan struct{})
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		br := bufio.NewReader(c)
		req, err := http.ReadRequest(br)
		if err != nil {
			close(cut)
			return
		}
		_, _ = io.Copy(io.Discard, req.Body)
		// The proxy sends nothing more on this connection: a read ends
		// when it hangs up.
		hungUp := make(chan struct{})
		go func() {
			_, _ = br.ReadByte()
			close(hungUp)
		}()
		if _, err := io.WriteString(c, head); err != nil {
			close(cut)
			return
		}
		for i := range len(slow) {
			select {
			case <-hungUp:
				close(cut)
				return
			case <-time.After(gap):
			}
			if _, err := io.WriteString(c, slow[i:i+1]); err != nil {
				close(cut)
				return
			}
		}
		close(done)
	}()
	return "http://" + ln.Addr().String(), cut, done
}

// waitCut fails the test unless the upstream was cut before its answer was
// out; the wait is bounded so the test stops by itself.
func waitCut(t *testing.T, cut, done chan struct{}) {
	t.Helper()
	select {
	case <-cut:
	case <-done:
		t.Error("the upstream was never cut: it sent its whole answer")
	case <-time.After(20 * time.Second):
		t.Error("the upstream was never cut")
	}
}

// want504 checks a 504 in Qumulo's error shape.
func want504(t *testing.T, status int, body []byte) {
	t.Helper()
	if status != http.StatusGatewayTimeout {
		t.Fatalf("status %d, want 504: %s", status, body)
	}
	var qerr struct {
		Module      string    `json:"module"`
		ErrorClass  string    `json:"error_class"`
		Description string    `json:"description"`
		Stack       *[]string `json:"stack"`
		UserVisible *bool     `json:"user_visible"`
	}
	if err := json.Unmarshal(body, &qerr); err != nil || qerr.Module != proxy.ErrorModule || qerr.ErrorClass != "http_gateway_timeout_error" ||
		qerr.Stack == nil || qerr.UserVisible == nil || !strings.Contains(qerr.Description, upstreamTimeout.String()) {
		t.Errorf("504 not in Qumulo's error shape: %s", body)
	}
}

func withTimeout(c *proxy.Config) { c.UpstreamTimeout = upstreamTimeout }

// An upstream that takes the request and never answers is cut, and the
// client gets a 504.
func TestUpstreamSilentCut(t *testing.T) {
	t.Parallel()
	cut := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
			close(cut)
		case <-time.After(30 * time.Second):
		}
	}))
	t.Cleanup(up.Close)
	e := setupUpstream(t, up.URL, nil, withTimeout, nil)
	status, _, body := call(t, "GET", e.url+"/v2/encryption/key-store", "tok", "")
	want504(t, status, body)
	waitCut(t, cut, nil)
	e.settle()
	if !strings.Contains(e.logs.String(), "upstream cut") {
		t.Errorf("no log line for the cut upstream:\n%s", e.logs.String())
	}
}

// An upstream that trickles its headers, each byte well within the
// timeout, is cut once the headers have taken longer than it.
func TestUpstreamTricklingHeadersCut(t *testing.T) {
	t.Parallel()
	url, cut, done := trickler(t, "", "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}", upstreamTimeout/3)
	e := setupUpstream(t, url, nil, withTimeout, nil)
	status, _, body := call(t, "GET", e.url+"/v2/encryption/key-store", "tok", "")
	want504(t, status, body)
	waitCut(t, cut, done)
}

const keyStore = `{"type":"Local","local_store":{"status":"Encrypted"}}`

func jsonHead(n int) string {
	return fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", n)
}

// With --fail-on-violation the answer is held back until it is checked:
// an upstream that trickles its body, each byte well within the timeout,
// is cut once the whole answer has taken longer than it, and the client,
// which has had nothing yet, gets a 504.
func TestUpstreamTricklingBodyHeldBackCut(t *testing.T) {
	t.Parallel()
	url, cut, done := trickler(t, jsonHead(len(keyStore)), keyStore, upstreamTimeout/3)
	e := setupUpstream(t, url, nil, func(c *proxy.Config) { withTimeout(c); c.FailOnViolation = true }, nil)
	status, _, body := call(t, "GET", e.url+"/v2/encryption/key-store", "tok", "")
	want504(t, status, body)
	waitCut(t, cut, done)
}

// An answer that streams to the client (no --fail-on-violation) may take
// longer than the timeout in all, as long as no single wait does; once
// the upstream stalls past it, it is cut: the client gets a 504 if it has
// had nothing yet, else its answer is cut short.
func TestUpstreamStreamedBodyBetweenReads(t *testing.T) {
	t.Parallel()
	const timeout = time.Second
	steady := `{"type":"Local","local_store":{"status":"Encrypted"},"pad":"` + strings.Repeat("x", 40) + `"}`
	url, _, done := trickler(t, jsonHead(len(steady)), steady, timeout/40)
	e := setupUpstream(t, url, nil, func(c *proxy.Config) { c.UpstreamTimeout = timeout }, nil)
	status, _, body := call(t, "GET", e.url+"/v2/encryption/key-store", "tok", "")
	if status != http.StatusOK || string(body) != steady {
		t.Fatalf("a steady answer longer than the timeout in all: %d %s", status, body)
	}
	<-done

	// Headers come at once, the body's first byte never: the client has
	// had nothing yet and gets a 504.
	url, cut, done := trickler(t, jsonHead(len(keyStore)), keyStore, 30*time.Second)
	e = setupUpstream(t, url, nil, withTimeout, nil)
	status, _, body = call(t, "GET", e.url+"/v2/encryption/key-store", "tok", "")
	want504(t, status, body)
	waitCut(t, cut, done)

	url, cut, done = trickler(t, jsonHead(len(keyStore))+keyStore[:10], keyStore[10:], 30*time.Second)
	e = setupUpstream(t, url, nil, withTimeout, nil)
	got := make(chan error, 1)
	go func() {
		// The client waits longer than the test waits for the cut, so the
		// cut is the proxy's doing.
		resp, err := (&http.Client{Timeout: 60 * time.Second}).Get(e.url + "/v2/encryption/key-store")
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		got <- err
	}()
	waitCut(t, cut, done)
	if err := <-got; err == nil {
		t.Error("the client got a whole answer from a stalled upstream")
	}
}

// A request body too large to keep streams from the client to the
// upstream; the time the proxy waits on a slow client does not count
// against the upstream.
func TestUpstreamTimeoutSparesSlowClient(t *testing.T) {
	t.Parallel()
	got := make(chan int, 1)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- len(b)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, keyStore)
	}))
	t.Cleanup(up.Close)
	e := setupUpstream(t, up.URL, nil, func(c *proxy.Config) { withTimeout(c); c.MaxBodyBytes = 1 << 10 }, nil)
	pr, pw := io.Pipe()
	go func() {
		chunk := strings.Repeat("x", 1<<10)
		_, _ = io.WriteString(pw, `{"type":"Local","pad":"`)
		for range 3 {
			_, _ = io.WriteString(pw, chunk)
			time.Sleep(2 * upstreamTimeout)
		}
		_, _ = io.WriteString(pw, `"}`)
		pw.Close()
	}()
	req, err := http.NewRequest("PUT", e.url+"/v2/encryption/key-store", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("a slow client's upload: status %d", resp.StatusCode)
	}
	if n := <-got; n != 3<<10+len(`{"type":"Local","pad":""}`) {
		t.Errorf("the upstream got %d bytes", n)
	}
}
