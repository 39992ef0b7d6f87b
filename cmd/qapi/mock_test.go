package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a buffer that the command writes while the test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var servingRE = regexp.MustCompile(`on (https?://[^;\s]+);`)

// exited holds the exit code once the command has returned.
type exited struct {
	done chan struct{}
	code int
}

// startMock runs `qapi mock args...` in-process and returns its URL, the
// function that stops it like a signal does, and its exit.
func startMock(t *testing.T, args ...string) (string, context.CancelFunc, *exited) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer
	m := &Main{Stdout: io.Discard, Stderr: &stderr}
	ex := &exited{done: make(chan struct{})}
	go func() {
		defer close(ex.done)
		ex.code = m.Exec(ctx, append([]string{"mock", "--addr", "127.0.0.1:0"}, args...))
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-ex.done:
		case <-time.After(15 * time.Second):
			t.Error("qapi mock did not stop")
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := servingRE.FindStringSubmatch(stderr.String()); m != nil {
			return m[1], cancel, ex
		}
		select {
		case <-ex.done:
			t.Fatalf("qapi mock exited with %d: %s", ex.code, stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("qapi mock did not start: %s", stderr.String())
	return "", nil, nil
}

func TestMockCommandTLSAndGracefulShutdown(t *testing.T) {
	t.Parallel()
	certFile := filepath.Join(t.TempDir(), "cert.pem")
	url, stop, ex := startMock(t, "--tls", "--cert-out", certFile, "--user", "ops", "--password", "pw")
	if !strings.HasPrefix(url, "https://") {
		t.Fatalf("URL %s is not https", url)
	}
	pem, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("certificate file holds no certificate")
	}
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}

	resp, err := hc.Post(url+"/v1/session/login", "application/json", strings.NewReader(`{"username":"ops","password":"pw"}`))
	if err != nil {
		t.Fatal(err)
	}
	var creds struct {
		BearerToken string `json:"bearer_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&creds)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("login: %d %v", resp.StatusCode, err)
	}

	// A request in flight when the signal comes still gets its answer.
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("PUT", url+"/v2/encryption/key-store", pr)
	req.Header.Set("Authorization", "Bearer "+creds.BearerToken)
	req.Header.Set("Content-Type", "application/json")
	answered := make(chan int, 1)
	go func() {
		resp, err := hc.Do(req)
		if err != nil {
			t.Errorf("request in flight: %v", err)
			answered <- 0
			return
		}
		resp.Body.Close()
		answered <- resp.StatusCode
	}()
	if _, err := pw.Write([]byte(`{"type":`)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // let the server start reading the body
	stop()
	time.Sleep(100 * time.Millisecond)
	_, _ = pw.Write([]byte(`"Local"}`))
	pw.Close()
	if got := <-answered; got != http.StatusOK {
		t.Errorf("request in flight answered %d, want 200", got)
	}
	select {
	case <-ex.done:
		if ex.code != exitOK {
			t.Errorf("exit code %d after a signal, want 0", ex.code)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("qapi mock did not stop after the signal")
	}
}

func TestMockCommandSpecFile(t *testing.T) {
	t.Parallel()
	spec := filepath.Join(t.TempDir(), "spec.yaml")
	const doc = `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /v1/version:
    get:
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object, properties: {revision_id: {type: string}}}}}}
`
	if err := os.WriteFile(spec, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	url, _, _ := startMock(t, "--spec", spec, "--seed", "3")
	resp, err := http.Get(url + "/v1/version")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "revision_id") {
		t.Errorf("GET /v1/version: %d %s", resp.StatusCode, body)
	}
	if resp.Header.Get("ETag") == "" {
		t.Error("no ETag on a read")
	}
}

func TestMockCommandUsageErrors(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"mock", "--cert-out", "x.pem"},
		{"mock", "--nope"},
		{"mock", "extra"},
		{"mock", "--token-lifetime", "0s"},
	} {
		m := &Main{Stdout: io.Discard, Stderr: io.Discard}
		if got := m.Exec(context.Background(), args); got != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, got, exitUsage)
		}
	}
	m := &Main{Stdout: io.Discard, Stderr: io.Discard}
	if got := m.Exec(context.Background(), []string{"mock", "--addr", "127.0.0.1:0", "--spec", "/does/not/exist.yaml"}); got != exitUsage {
		t.Errorf("missing spec (a setup error): exit %d, want %d", got, exitUsage)
	}
}
