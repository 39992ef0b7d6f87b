package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qapitools/qapi/mock"
	"github.com/qapitools/qapi/mock/mocktest"
)

const proxyTestPassword = "s3cret-pass-123"

type runningProxy struct {
	cmd    *proxyCmd
	url    string
	stderr *syncBuffer
	cancel context.CancelFunc
	code   chan int
}

// stop ends the proxy as Ctrl-C does and returns its exit code.
func (p *runningProxy) stop(t *testing.T) int {
	t.Helper()
	p.cancel()
	select {
	case c := <-p.code:
		return c
	case <-time.After(20 * time.Second):
		t.Fatal("the proxy did not stop")
		return -1
	}
}

// startProxy runs qapi proxy in-process on a free loopback port.
func startProxy(t *testing.T, env map[string]string, args ...string) *runningProxy {
	t.Helper()
	p := &runningProxy{stderr: &syncBuffer{}, code: make(chan int, 1)}
	m := &Main{Stdout: io.Discard, Stderr: p.stderr, Getenv: func(k string) string { return env[k] }}
	if err := m.ParseFlags(append([]string{"proxy", "--listen", "127.0.0.1:0"}, args...)); err != nil {
		t.Fatal(err)
	}
	pc := m.cmd.(*proxyCmd)
	p.cmd = pc
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	go func() {
		defer m.Close()
		err := m.Run(ctx)
		var ue usageError
		switch {
		case err == nil:
			p.code <- exitOK
		case errors.As(err, &ue):
			p.code <- exitUsage
		default:
			p.code <- exitFail
		}
	}()
	t.Cleanup(func() {
		cancel()
	})
	select {
	case p.url = <-pc.ready:
	case c := <-p.code:
		t.Fatalf("the proxy exited %d before listening:\n%s", c, p.stderr.String())
	case <-time.After(20 * time.Second):
		t.Fatal("the proxy did not start")
	}
	return p
}

func tlsMock(t *testing.T, opts ...mock.Option) (*mock.Server, string) {
	t.Helper()
	srv := mocktest.NewServer(t, append([]mock.Option{mock.WithTLS(), mock.WithCredentials("admin", proxyTestPassword)}, opts...)...)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, srv.CertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return srv, ca
}

func send(t *testing.T, method, u, token, body string) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, u, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}

// qqSession is what a script does through the proxy: log in, read the key
// store, switch it to KMS with a private key, read it again.
func qqSession(t *testing.T, base string) {
	t.Helper()
	status, body := send(t, "POST", base+"/v1/session/login", "", `{"username":"admin","password":"`+proxyTestPassword+`"}`)
	var cred struct {
		BearerToken string `json:"bearer_token"`
	}
	if status != 200 || json.Unmarshal(body, &cred) != nil {
		t.Fatalf("login through the proxy: %d %s", status, body)
	}
	send(t, "GET", base+"/v2/encryption/key-store", cred.BearerToken, "")
	send(t, "PUT", base+"/v2/encryption/key-store", cred.BearerToken,
		`{"type":"KMS","kms_store":{"hostname":"kms.example.com","port":5696,"key_id":"k1","server_ca_cert":"ca","client_cert":"cert","client_private_key":"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"}}`)
	send(t, "GET", base+"/v2/encryption/key-store", cred.BearerToken, "")
	send(t, "GET", base+"/v1/stats", cred.BearerToken, "")
}

// The whole loop on the CLI: qapi proxy records a session against the TLS
// mock, and qapi verify passes the recording with every report written.
func TestProxyRecordThenVerify(t *testing.T) {
	t.Parallel()
	srv, ca := tlsMock(t)
	dir := t.TempDir()
	har := filepath.Join(dir, "traffic.har")
	p := startProxy(t, nil, "--upstream", srv.URL, "--ca-cert", ca, "--record", har)
	qqSession(t, p.url)
	if code := p.stop(t); code != exitOK {
		t.Fatalf("proxy exit %d\n%s", code, p.stderr.String())
	}
	if !strings.Contains(p.stderr.String(), `"msg":"qapi proxy stopped","exchanges":5,"violations":0,"recorded":5`) {
		t.Errorf("no summary line:\n%s", p.stderr.String())
	}
	code, stdout, stderr := runEnv(t, nil, "verify", har, "--junit", filepath.Join(dir, "r.xml"), "--json", filepath.Join(dir, "r.json"), "--html", filepath.Join(dir, "r.html"))
	if code != exitOK {
		t.Fatalf("verify exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"PASSED", "1 of 5 exchanges are outside the spec", "/v1/stats"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("verify output lacks %q:\n%s", want, stdout)
		}
	}
	for _, f := range []string{"r.xml", "r.json", "r.html"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("report %s not written: %v", f, err)
		}
	}
	data, _ := os.ReadFile(har)
	if strings.Contains(string(data), proxyTestPassword) || strings.Contains(string(data), "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC") {
		t.Error("the recording holds a secret")
	}
}

// Against a faulty cluster the proxy logs the violation as a JSON line and
// exits 1, and verify of the recording fails the same check.
func TestProxyLogsFaultAndVerifyFails(t *testing.T) {
	t.Parallel()
	srv, ca := tlsMock(t, mock.WithFault(mock.FaultWrongFieldType))
	har := filepath.Join(t.TempDir(), "traffic.har")
	p := startProxy(t, map[string]string{"QUMULO_CA_CERT": ca}, "--upstream", srv.URL, "--record", har)
	qqSession(t, p.url)
	if code := p.stop(t); code != exitFail {
		t.Fatalf("proxy exit %d, want 1\n%s", code, p.stderr.String())
	}
	var found bool
	for _, line := range strings.Split(p.stderr.String(), "\n") {
		var l struct{ Msg, Operation, Direction, Check, Field, Reason string }
		if json.Unmarshal([]byte(line), &l) == nil && l.Msg == "contract violation" {
			if l.Check == "response_schema_conformance" && l.Direction == "response" && l.Operation == "GetEncryptionKeyStore" && l.Field != "" {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("no response_schema_conformance line:\n%s", p.stderr.String())
	}
	code, stdout, _ := runEnv(t, nil, "verify", har)
	if code != exitFail || !strings.Contains(stdout, "FAIL GET /v2/encryption/key-store (GetEncryptionKeyStore) response_schema_conformance") {
		t.Errorf("verify exit %d:\n%s", code, stdout)
	}
}

// TLS to the cluster is verified by default: without the CA the proxy
// answers 502 in Qumulo's shape; --insecure forwards with a warning.
func TestProxyVerifiesUpstreamTLS(t *testing.T) {
	t.Parallel()
	srv, _ := tlsMock(t)
	p := startProxy(t, nil, "--upstream", srv.URL)
	status, body := send(t, "GET", p.url+"/v1/version", "", "")
	if status != http.StatusBadGateway || !strings.Contains(string(body), `"error_class"`) || !strings.Contains(string(body), "certificate") {
		t.Errorf("untrusted cluster: %d %s", status, body)
	}
	p.stop(t)

	p = startProxy(t, nil, "--upstream", srv.URL, "--insecure")
	status, body = send(t, "POST", p.url+"/v1/session/login", "", `{"username":"admin","password":"`+proxyTestPassword+`"}`)
	if status != 200 {
		t.Errorf("--insecure: %d %s", status, body)
	}
	p.stop(t)
	if !strings.Contains(p.stderr.String(), "WARNING: --insecure") {
		t.Errorf("no warning for --insecure:\n%s", p.stderr.String())
	}
}

func TestProxyUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"proxy"},
		{"proxy", "--upstream", "cluster:8000"},
		{"proxy", "--upstream", "https://cluster:8000", "extra"},
		{"proxy", "--upstream", "https://cluster:8000", "--upstream-timeout", "0s"},
		{"proxy", "--upstream", "https://cluster:8000", "--upstream-timeout", "soon"},
	} {
		if code, _, stderr := runEnv(t, nil, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, stderr)
		}
	}
	code, _, stderr := runEnv(t, nil, "proxy", "--upstream", "https://127.0.0.1:1", "--listen", "127.0.0.1:0", "--ca-cert", filepath.Join(t.TempDir(), "none.pem"))
	if code != exitUsage || !strings.Contains(stderr, "none.pem") {
		t.Errorf("missing CA file: exit %d: %s", code, stderr)
	}
}
