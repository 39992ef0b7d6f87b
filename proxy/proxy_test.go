package proxy_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	qapi "github.com/qapitools/qapi"
	"github.com/qapitools/qapi/check"
	"github.com/qapitools/qapi/client"
	"github.com/qapitools/qapi/har"
	"github.com/qapitools/qapi/mock"
	"github.com/qapitools/qapi/mock/mocktest"
	"github.com/qapitools/qapi/proxy"
	"github.com/qapitools/qapi/report"
	"github.com/qapitools/qapi/verify"
)

const password = "s3cret-pass-123"

// syncBuffer collects log lines written from the proxy's goroutines.
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

// logLine is a violation line as the proxy logs it.
type logLine struct {
	Msg, Operation, Direction, Check, Field, Reason string
}

func (b *syncBuffer) violations(t *testing.T) []logLine {
	t.Helper()
	var out []logLine
	for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if line == "" {
			continue
		}
		var l logLine
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("log line is not JSON: %q: %v", line, err)
		}
		if l.Msg == "contract violation" {
			out = append(out, l)
		}
	}
	return out
}

type env struct {
	mock  *mock.Server
	url   string
	logs  *syncBuffer
	proxy *proxy.Proxy
	har   string
	rec   *har.Writer
	ts    *httptest.Server
}

// settle waits for the exchanges in flight: the proxy checks and records a
// response after the client has it, so a test reads the log and the
// recording only after the proxy has stopped.
func (e *env) settle() { e.ts.Close() }

// setup starts the mock over TLS and the proxy in front of it, trusting the
// mock's certificate, recording to a HAR file in the test's folder.
func setup(t *testing.T, tune func(*proxy.Config), opts ...mock.Option) *env {
	t.Helper()
	srv := mocktest.NewServer(t, append([]mock.Option{mock.WithTLS(), mock.WithCredentials("admin", password)}, opts...)...)
	tr, err := proxy.Transport(srv.CertPEM, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tr.CloseIdleConnections)
	return setupUpstream(t, srv.URL, tr, tune, srv)
}

func setupUpstream(t *testing.T, upstream string, tr http.RoundTripper, tune func(*proxy.Config), srv *mock.Server) *env {
	t.Helper()
	spec, err := qapi.Spec()
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(upstream)
	e := &env{mock: srv, logs: &syncBuffer{}, har: filepath.Join(t.TempDir(), "traffic.har")}
	rec, err := har.Create(e.har, "test")
	if err != nil {
		t.Fatal(err)
	}
	e.rec = rec
	t.Cleanup(func() { _ = rec.Close() })
	cfg := proxy.Config{Upstream: u, Spec: spec, Transport: tr, Recorder: rec,
		Logger: slog.New(slog.NewJSONHandler(e.logs, nil))}
	if tune != nil {
		tune(&cfg)
	}
	p, err := proxy.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.proxy = p
	ts := httptest.NewServer(p)
	t.Cleanup(ts.Close)
	e.url, e.ts = ts.URL, ts
	return e
}

// privateKey is a PEM block that looks like a key and is unique per call.
func privateKey(t *testing.T) string {
	t.Helper()
	b := make([]byte, 96)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "-----BEGIN PRIVATE KEY-----\n" + base64.StdEncoding.EncodeToString(b) + "\n-----END PRIVATE KEY-----\n"
}

const certPEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2FwaQ==\n-----END CERTIFICATE-----\n"

// call sends one request through the proxy and returns status and body.
func call(t *testing.T, method, u, token, body string) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
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
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, data
}

func login(t *testing.T, base string) string {
	t.Helper()
	status, _, body := call(t, "POST", base+"/v1/session/login", "", `{"username":"admin","password":"`+password+`"}`)
	var cred struct {
		BearerToken string `json:"bearer_token"`
	}
	if status != 200 || json.Unmarshal(body, &cred) != nil || cred.BearerToken == "" {
		t.Fatalf("login through the proxy: %d %s", status, body)
	}
	return cred.BearerToken
}

func kmsBody(key string) string {
	b, _ := json.Marshal(map[string]any{"type": "KMS", "kms_store": map[string]any{
		"hostname": "kms.example.com", "port": 5696, "key_id": "master-1",
		"server_ca_cert": certPEM, "client_cert": certPEM, "client_private_key": key,
	}})
	return string(b)
}

// session is what a script does: log in, read, switch to a KMS key store
// (sending a private key), read again, and ask for a path outside the spec.
func session(t *testing.T, base, key string) string {
	t.Helper()
	tok := login(t, base)
	call(t, "GET", base+"/v2/encryption/key-store", tok, "")
	call(t, "PUT", base+"/v2/encryption/key-store", tok, kmsBody(key))
	call(t, "GET", base+"/v2/encryption/key-store", tok, "")
	call(t, "GET", base+"/v1/not-in-the-spec", tok, "")
	return tok
}

func verifyHAR(t *testing.T, harPath string, strict bool) *verify.Verification {
	t.Helper()
	spec, err := qapi.Spec()
	if err != nil {
		t.Fatal(err)
	}
	h, err := har.Read(harPath)
	if err != nil {
		t.Fatal(err)
	}
	v, err := verify.Archive(spec, h, harPath, strict)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func failedChecks(rep *report.Report) map[string]bool {
	out := map[string]bool{}
	for _, o := range rep.Operations {
		for _, cr := range o.Results {
			if cr.Status == check.Fail {
				out[cr.Check] = true
			}
		}
	}
	return out
}

// The Go client works through the proxy against the TLS mock; the healthy
// traffic logs no violation, and its recording verifies offline.
func TestClientThroughProxyRecordsAndVerifies(t *testing.T) {
	t.Parallel()
	e := setup(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := client.New(e.url, client.WithCredentials("admin", password))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.KeyStore(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.UseKMSKeyStore(ctx, client.KMSConfig{Hostname: "kms.example.com", KeyID: "master-1",
		ServerCACert: certPEM, ClientCert: certPEM, ClientPrivateKey: privateKey(t)}); err != nil {
		t.Fatal(err)
	}
	ks, err := c.KeyStore(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ks.Type() != "KMS" {
		t.Fatalf("key store %s after switching to KMS", ks.Type())
	}
	e.settle()
	if vs := e.logs.violations(t); len(vs) > 0 {
		t.Fatalf("healthy traffic logged violations: %+v", vs)
	}
	if e.rec.Entries() < 4 {
		t.Fatalf("recorded %d exchanges, want at least 4", e.rec.Entries())
	}
	v := verifyHAR(t, e.har, false)
	if v.Report.Failed() {
		var b strings.Builder
		_ = v.Report.WriteText(&b)
		t.Fatalf("the healthy recording fails verification:\n%s", b.String())
	}
	if len(v.Report.Operations) != 3 {
		t.Errorf("verify saw %d operations, want 3 (login, GET and PUT key-store)", len(v.Report.Operations))
	}
}

// Each fault the proxy can see in a client's traffic shows in the proxy's
// log and fails the same check in qapi verify of the recording.
func TestFaultsShowInLogAndVerify(t *testing.T) {
	t.Parallel()
	cases := []struct {
		fault  mock.Fault
		check  string
		strict bool
		// extra is traffic beyond the session that provokes the fault.
		extra func(t *testing.T, base, tok string)
	}{
		{fault: mock.FaultWrongFieldType, check: check.ResponseSchemaConformance},
		{fault: mock.FaultUndocumentedStatus, check: check.StatusCodeConformance},
		{fault: mock.FaultWrongContentType, check: check.ContentTypeConformance},
		{fault: mock.FaultLeakedPrivateKey, check: check.WriteOnlyNeverReturned},
		{fault: mock.FaultUndeclaredProperty, check: check.ResponseSchemaConformance, strict: true},
		{fault: mock.FaultMissingField, check: check.ResponseSchemaConformance},
		{fault: mock.FaultIgnoredToken, check: check.IgnoredAuth, extra: func(t *testing.T, base, _ string) {
			call(t, "GET", base+"/v2/encryption/key-store", "", "")
		}},
		{fault: mock.FaultServerErrorOnBadInput, check: check.NotAServerError, extra: func(t *testing.T, base, tok string) {
			call(t, "PUT", base+"/v2/encryption/key-store", tok, `{"type":"KMS","kms_store":{"hostname":"h","port":"not-a-port","key_id":"k"}}`)
		}},
	}
	for _, tc := range cases {
		t.Run(string(tc.fault), func(t *testing.T) {
			t.Parallel()
			e := setup(t, func(c *proxy.Config) { c.Strict = tc.strict }, mock.WithFault(tc.fault))
			tok := session(t, e.url, privateKey(t))
			if tc.extra != nil {
				tc.extra(t, e.url, tok)
			}
			e.settle()
			logged := map[string]bool{}
			for _, v := range e.logs.violations(t) {
				logged[v.Check] = true
				if v.Operation == "" || (v.Direction != "request" && v.Direction != "response") || v.Reason == "" {
					t.Errorf("violation line lacks operation, direction or reason: %+v", v)
				}
			}
			if !logged[tc.check] {
				t.Errorf("fault %s: the proxy logged %v, want %s\n%s", tc.fault, logged, tc.check, e.logs.String())
			}
			v := verifyHAR(t, e.har, tc.strict)
			if failed := failedChecks(v.Report); !failed[tc.check] {
				var b strings.Builder
				_ = v.Report.WriteText(&b)
				t.Errorf("fault %s: verify failed %v, want %s\n%s", tc.fault, failed, tc.check, b.String())
			}
			if !v.Report.Failed() {
				t.Error("verify passes a faulty recording")
			}
		})
	}
}

// The wrong field type is logged with the JSON pointer of the field.
func TestViolationNamesTheField(t *testing.T) {
	t.Parallel()
	e := setup(t, nil, mock.WithFault(mock.FaultWrongFieldType))
	tok := login(t, e.url)
	call(t, "GET", e.url+"/v2/encryption/key-store", tok, "")
	e.settle()
	vs := e.logs.violations(t)
	if len(vs) == 0 {
		t.Fatal("no violation logged")
	}
	v := vs[0]
	if v.Check != check.ResponseSchemaConformance || v.Direction != "response" || v.Operation != "GetEncryptionKeyStore" || !strings.HasPrefix(v.Field, "/") {
		t.Errorf("violation %+v, want response_schema_conformance of GetEncryptionKeyStore at a JSON pointer", v)
	}
}

// No secret of the traffic reaches the recording or the log: the password,
// the bearer token, the private key (whole or its base64 body).
func TestRecordingHoldsNoSecret(t *testing.T) {
	t.Parallel()
	e := setup(t, nil, mock.WithFault(mock.FaultLeakedPrivateKey))
	key := privateKey(t)
	tok := session(t, e.url, key)
	e.settle()
	data, err := os.ReadFile(e.har)
	if err != nil {
		t.Fatal(err)
	}
	keyBody := strings.Split(key, "\n")[1]
	quotedKey, _ := json.Marshal(key)
	for name, secret := range map[string]string{
		"password": password, "bearer token": tok, "token id": strings.TrimPrefix(tok, "session-v1:"),
		"private key body": keyBody, "private key (JSON)": strings.Trim(string(quotedKey), `"`),
	} {
		if strings.Contains(string(data), secret) {
			t.Errorf("the HAR file holds the %s", name)
		}
		if strings.Contains(e.logs.String(), secret) {
			t.Errorf("the log holds the %s", name)
		}
	}
	if !strings.Contains(string(data), "[REDACTED write-only #") {
		t.Error("the recording shows no write-only marker where the secrets were")
	}
}

// With --fail-on-violation a bad request is answered by the proxy in
// Qumulo's shape and never reaches the cluster; a violating response is
// marked with a header.
func TestFailOnViolation(t *testing.T) {
	t.Parallel()
	m, err := mock.New(mock.WithCredentials("admin", password), mock.WithFault(mock.FaultWrongFieldType))
	if err != nil {
		t.Fatal(err)
	}
	var puts atomic.Int64
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			puts.Add(1)
		}
		m.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(upstream.Close)
	e := setupUpstream(t, upstream.URL, nil, func(c *proxy.Config) { c.FailOnViolation = true }, nil)
	tok := login(t, e.url)
	status, header, body := call(t, "PUT", e.url+"/v2/encryption/key-store", tok, `{"type":"KMS","kms_store":{"hostname":"h","port":"not-a-port","key_id":"k"}}`)
	if status < 400 || status >= 500 {
		t.Fatalf("a bad request through --fail-on-violation answered %d, want 4xx: %s", status, body)
	}
	var qerr struct {
		Module, ErrorClass, Description string
		Stack                           []string
		UserVisible                     *bool `json:"user_visible"`
	}
	if err := json.Unmarshal(body, &qerr); err != nil || qerr.Module == "" || !strings.Contains(string(body), `"error_class"`) || qerr.UserVisible == nil || qerr.Stack == nil {
		t.Errorf("the proxy's answer is not in Qumulo's error shape: %s", body)
	}
	if !strings.Contains(header.Get(proxy.ViolationHeader), check.RequestConformance) {
		t.Errorf("%s = %q", proxy.ViolationHeader, header.Get(proxy.ViolationHeader))
	}
	if n := puts.Load(); n != 0 {
		t.Errorf("the bad request reached the cluster (%d PUTs)", n)
	}
	status, header, _ = call(t, "GET", e.url+"/v2/encryption/key-store", tok, "")
	if status != 200 || !strings.Contains(header.Get(proxy.ViolationHeader), check.ResponseSchemaConformance) {
		t.Errorf("a violating response: status %d, %s %q", status, proxy.ViolationHeader, header.Get(proxy.ViolationHeader))
	}
}

// An unreachable cluster gets a 502 in Qumulo's error shape.
func TestUpstreamDown(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	e := setupUpstream(t, "http://"+addr, nil, nil, nil)
	status, header, body := call(t, "GET", e.url+"/v2/encryption/key-store", "x", "")
	if status != http.StatusBadGateway {
		t.Fatalf("status %d, want 502", status)
	}
	var qerr map[string]any
	if err := json.Unmarshal(body, &qerr); err != nil {
		t.Fatalf("502 body is not JSON: %s", body)
	}
	for _, k := range []string{"module", "error_class", "description", "stack", "user_visible"} {
		if _, ok := qerr[k]; !ok {
			t.Errorf("502 body lacks %q: %s", k, body)
		}
	}
	if ct := header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	e.settle()
	if !strings.Contains(e.logs.String(), "upstream failed") {
		t.Errorf("no log line for the failed upstream:\n%s", e.logs.String())
	}
}

// A body larger than the proxy keeps streams through whole; its schema is
// not checked, and the log says so.
func TestLargeBodyStreamsUnchecked(t *testing.T) {
	t.Parallel()
	big := `{"type":"Local","local_store":{"status":"Encrypted"},"pad":"` + strings.Repeat("x", 1<<20) + `"}`
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, big)
	}))
	t.Cleanup(upstream.Close)
	e := setupUpstream(t, upstream.URL, nil, func(c *proxy.Config) { c.MaxBodyBytes = 64 << 10 }, nil)
	status, _, body := call(t, "GET", e.url+"/v2/encryption/key-store", "tok", "")
	if status != 200 || string(body) != big {
		t.Fatalf("status %d, %d bytes, want 200 and %d bytes", status, len(body), len(big))
	}
	e.settle()
	if !strings.Contains(e.logs.String(), "response body too large") {
		t.Errorf("no note of the unchecked body:\n%s", e.logs.String())
	}
	if vs := e.logs.violations(t); len(vs) > 0 {
		t.Errorf("violations on a body that was not checked: %+v", vs)
	}
}

// A recording the proxy wrote loads in har-validator, the HAR 1.2 schema
// checker that HAR tools use (npm, pinned in package.json).
func TestRecordingIsValidHAR(t *testing.T) {
	t.Parallel()
	root, _ := filepath.Abs("..")
	if _, err := os.Stat(filepath.Join(root, "node_modules", "har-validator")); err != nil {
		t.Skip("node_modules/har-validator is absent: run npm ci at the repository root")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	e := setup(t, nil, mock.WithFault(mock.FaultLeakedPrivateKey))
	session(t, e.url, privateKey(t))
	e.settle()
	if err := e.rec.Close(); err != nil {
		t.Fatal(err)
	}
	script := `const fs = require('fs');
const hv = require(process.argv[1] + '/node_modules/har-validator');
hv.har(JSON.parse(fs.readFileSync(process.argv[2], 'utf8')))
  .then(() => console.log('valid'))
  .catch(e => { console.error(JSON.stringify(e.errors || e.message)); process.exit(1); });`
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, node, "-e", script, root, e.har).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "valid") {
		t.Fatalf("har-validator rejects the recording: %v\n%s", err, out)
	}
}

// A gzip answer (the client asked for one) is checked decompressed, and
// passes through compressed.
func TestGzipResponseIsChecked(t *testing.T) {
	t.Parallel()
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = io.WriteString(zw, `{"type":"Local","local_store":{"status":12345}}`)
		_ = zw.Close()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(buf.Bytes())
	}))
	t.Cleanup(upstream.Close)
	e := setupUpstream(t, upstream.URL, nil, nil, nil)
	req, _ := http.NewRequest("GET", e.url+"/v2/encryption/key-store", nil)
	req.Header.Set("Authorization", "Bearer tok")
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := gzip.NewReader(resp.Body); err != nil {
		t.Errorf("the answer is no longer gzip: %v", err)
	}
	e.settle()
	vs := e.logs.violations(t)
	if len(vs) != 1 || vs[0].Check != check.ResponseSchemaConformance || vs[0].Field != "/local_store/status" {
		t.Errorf("violations %+v, want the schema one at /local_store/status", vs)
	}
}
