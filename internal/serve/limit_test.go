package serve

// Regression tests for issue 21: connections that sit idle or silent
// filled the cap and locked every other client out.

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/qapitools/qapi/internal/tlscert"
)

// capped serves "ok" on a listener of Listen with room for max
// connections, over TLS when asked; it returns the address and the TLS
// configuration a client needs (nil for plain HTTP).
func capped(t *testing.T, max int, withTLS bool) (string, *tls.Config) {
	addr, clientTLS, _ := cappedListener(t, max, withTLS)
	return addr, clientTLS
}

func cappedListener(t *testing.T, max int, withTLS bool) (string, *tls.Config, *limitListener) {
	t.Helper()
	ln, err := Listen("127.0.0.1:0", max)
	if err != nil {
		t.Fatal(err)
	}
	limited := ln.(*limitListener)
	addr := ln.Addr()
	var clientTLS *tls.Config
	if withTLS {
		cert, certPEM, err := tlscert.SelfSigned(addr, "serve test", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(certPEM)
		clientTLS = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	}
	srv := NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "ok")
	}))
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return addr.String(), clientTLS, limited
}

// waitSpoken waits, at most 15 s, until the server has read from n of l's
// connections.
func waitSpoken(t *testing.T, l *limitListener, n int) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		l.mu.Lock()
		spoken := 0
		for c := range l.conns {
			if c.spoke.Load() {
				spoken++
			}
		}
		l.mu.Unlock()
		if spoken >= n {
			return
		}
	}
	t.Fatalf("the server did not read from %d connections", n)
}

func dial(t *testing.T, addr string, clientTLS *tls.Config) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	if clientTLS != nil {
		tc := tls.Client(c, clientTLS)
		if err := tc.Handshake(); err != nil {
			t.Fatal(err)
		}
		c = tc
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// get sends one keep-alive request on c and reads the answer.
func get(c net.Conn, br *bufio.Reader) error {
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		return err
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || string(b) != "ok" {
		return fmt.Errorf("answer %q: %v", b, err)
	}
	return nil
}

// served asks for / on a connection of its own, waiting at most wait.
func served(t *testing.T, addr string, clientTLS *tls.Config, wait time.Duration) {
	t.Helper()
	client := &http.Client{Timeout: wait, Transport: &http.Transport{DisableKeepAlives: true, TLSClientConfig: clientTLS}}
	scheme := "http"
	if clientTLS != nil {
		scheme = "https"
	}
	resp, err := client.Get(scheme + "://" + addr + "/")
	if err != nil {
		t.Fatalf("a new client was not served while the cap was full: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("a new client got %s", resp.Status)
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

// closedByServer says whether the server closed c; it waits a bounded time.
func closedByServer(c net.Conn, br *bufio.Reader) bool {
	_ = c.SetReadDeadline(time.Now().Add(15 * time.Second))
	_, err := br.ReadByte()
	return errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || isReset(err)
}

func isReset(err error) bool {
	var ne *net.OpError
	return errors.As(err, &ne) && !ne.Timeout()
}

// Keep-alive connections that each sent one request and sit idle fill the
// cap: a new client takes the place of one of them (the one idle the
// longest), and the others stay usable.
func TestHostileIdleConnsReclaimed(t *testing.T) {
	t.Parallel()
	for _, withTLS := range []bool{false, true} {
		t.Run(fmt.Sprintf("tls=%v", withTLS), func(t *testing.T) {
			t.Parallel()
			const max = 8
			addr, clientTLS := capped(t, max, withTLS)
			conns := make([]net.Conn, max)
			readers := make([]*bufio.Reader, max)
			for i := range conns {
				conns[i] = dial(t, addr, clientTLS)
				readers[i] = bufio.NewReader(conns[i])
				if err := get(conns[i], readers[i]); err != nil {
					t.Fatalf("connection %d: %v", i, err)
				}
			}
			served(t, addr, clientTLS, 15*time.Second)
			// Which one the server saw idle first is its own timing.
			k := oneClosed(conns, readers)
			if k < 0 {
				t.Fatal("no idle connection was closed")
			}
			if err := get(conns[(k+1)%max], readers[(k+1)%max]); err != nil {
				t.Errorf("another idle connection was cut too: %v", err)
			}
		})
	}
}

// Connections that never send a byte fill the cap: a new client takes the
// place of the oldest once it has been silent for pressedAfter, and one
// that has begun its request is left to finish it while silent ones are
// there to close.
func TestHostileSilentConnsReclaimed(t *testing.T) {
	pressedAfter = 200 * time.Millisecond
	t.Cleanup(func() { pressedAfter = PressedHeaderTimeout })
	const max = 8
	addr, _, l := cappedListener(t, max, false)
	conns := make([]net.Conn, max)
	readers := make([]*bufio.Reader, max)
	for i := range conns {
		conns[i] = dial(t, addr, nil)
		readers[i] = bufio.NewReader(conns[i])
	}
	// The oldest has begun a request: it is slow, not silent.
	if _, err := io.WriteString(conns[0], "GET / HTTP/1.1\r\n"); err != nil {
		t.Fatal(err)
	}
	waitSpoken(t, l, 1)
	// Within ReadHeaderTimeout, which would have freed a place anyway.
	served(t, addr, nil, ReadHeaderTimeout/2)
	if !closedByServer(conns[1], readers[1]) {
		t.Error("the oldest silent connection was not closed")
	}
	if _, err := io.WriteString(conns[0], "Host: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(readers[0], nil)
	if err != nil {
		t.Fatalf("a request under way was cut: %v", err)
	}
	resp.Body.Close()
}

// Connections that finish a TLS handshake and then send no request, or
// dribble one, fill the cap: a new client takes the place of the oldest
// once it has taken pressedAfter.
func TestHostileHandshakeThenSilenceReclaimed(t *testing.T) {
	pressedAfter = 200 * time.Millisecond
	t.Cleanup(func() { pressedAfter = PressedHeaderTimeout })
	const max = 8
	addr, clientTLS := capped(t, max, true)
	conns := make([]net.Conn, max)
	for i := range conns {
		conns[i] = dial(t, addr, clientTLS)
		if i%2 == 1 {
			if _, err := io.WriteString(conns[i], "GET / HTTP/1.1\r\n"); err != nil {
				t.Fatal(err)
			}
		}
	}
	served(t, addr, clientTLS, ReadHeaderTimeout/2)
	if !closedByServer(conns[0], bufio.NewReader(conns[0])) {
		t.Error("the oldest connection was not closed")
	}
}
