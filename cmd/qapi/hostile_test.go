package main

// Regression tests for issue 10 (hostile peers and hostile input) on the
// command line: every output of every command, grepped for every secret of
// the "Secrets" findings; the proxy's TLS; generate's outputs and stops.

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/qapitools/qapi/client"
	"github.com/qapitools/qapi/internal/serve"
	"github.com/qapitools/qapi/internal/tlscert"
)

const (
	hostilePassword = `Pa$$w0rd/é&"x`
	hostileToken    = "opaque.token-0123456789"
	hostileKeyLine  = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASChostile"
	hostileKey      = "-----BEGIN PRIVATE KEY-----\n" + hostileKeyLine + "\n-----END PRIVATE KEY-----\n"
)

// secretForms are the ways a secret may show up in an output.
func secretForms(s string) []string {
	q, _ := json.Marshal(s)
	forms := []string{s, string(q[1 : len(q)-1]), url.QueryEscape(s), url.PathEscape(s)}
	for shift := range 3 {
		enc := base64.RawStdEncoding.EncodeToString(append(make([]byte, shift), s...))
		forms = append(forms, enc[(8*shift+5)/6:8*(shift+len(s))/6])
	}
	return forms
}

// assertNoSecret fails for every output that holds a secret in any form.
func assertNoSecret(t *testing.T, outputs map[string]string) {
	t.Helper()
	for _, secret := range []string{hostilePassword, hostileToken, hostileKeyLine} {
		for _, form := range secretForms(secret) {
			for name, out := range outputs {
				if i := strings.Index(out, form); i >= 0 {
					t.Errorf("%s holds %q (as %q): …%s…", name, secret, form, out[max(0, i-80):min(len(out), i+len(form)+80)])
				}
			}
		}
	}
}

// echo is a careless cluster: it answers every request with what it got,
// raw, JSON-escaped, base64 and URL-encoded, and refuses logins; a redirect
// asked for with ?go= is followed by nobody.
func echo(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	got := r.Header.Get("Authorization") + " " + string(body)
	desc := fmt.Sprintf("got %s | %s | %s", got, base64.StdEncoding.EncodeToString([]byte(got)), url.QueryEscape(got))
	status := http.StatusOK
	if strings.HasSuffix(r.URL.Path, "/login") || r.Method != http.MethodGet {
		status = http.StatusBadRequest
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	out, _ := json.Marshal(map[string]any{"module": "m", "error_class": "echo", "description": desc, "stack": []string{got}, "user_visible": true})
	_, _ = w.Write(out)
}

// No secret of the "Secrets" findings reaches any output: the proxy's log
// and recording, verify's reports of that recording, contract's reports
// against a server that hands secrets back encoded, and the client's log
// and errors when redirected.
func TestHostileNoSecretInAnyOutput(t *testing.T) {
	t.Parallel()
	outputs := map[string]string{}
	dir := t.TempDir()
	upstream := httptest.NewServer(http.HandlerFunc(echo))
	t.Cleanup(upstream.Close)

	// qapi proxy: odd Authorization headers, form and text login bodies,
	// a private key in a failed write, all echoed back.
	harPath := filepath.Join(dir, "traffic.har")
	p := startProxy(t, nil, "--upstream", upstream.URL, "--record", harPath)
	kms, _ := json.Marshal(map[string]any{"type": "KMS", "kms_store": map[string]any{"hostname": "kms", "port": 5696, "key_id": "k",
		"server_ca_cert": "c", "client_cert": "c", "client_private_key": hostileKey}})
	for _, rq := range []struct{ method, path, auth, ctype, body string }{
		{"POST", "/v1/session/login", "", "application/json", `{"username":"admin","password":` + string(must(json.Marshal(hostilePassword))) + `}`},
		{"POST", "/v1/session/login", "", "application/x-www-form-urlencoded", "username=admin&password=" + url.QueryEscape(hostilePassword)},
		{"POST", "/v1/session/login", "", "text/plain", "username: admin\npassword: " + hostilePassword},
		{"GET", "/v2/encryption/key-store", "Bearer\t" + hostileToken, "", ""},
		{"GET", "/v2/encryption/key-store", hostileToken, "", ""},
		{"GET", "/v2/encryption/key-store?access_token=" + hostileToken, "", "", ""},
		{"PUT", "/v2/encryption/key-store", "Bearer " + hostileToken, "application/json", string(kms)},
	} {
		req, _ := http.NewRequest(rq.method, p.url+rq.path, strings.NewReader(rq.body))
		if rq.auth != "" {
			req.Header.Set("Authorization", rq.auth)
		}
		if rq.ctype != "" {
			req.Header.Set("Content-Type", rq.ctype)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	p.stop(t)
	outputs["proxy log"] = p.stderr.String()
	outputs["recording"] = string(must(os.ReadFile(harPath)))

	// qapi verify on that recording, every report.
	reports := map[string]string{"--junit": "r.xml", "--json": "r.json", "--html": "r.html"}
	args := []string{"verify", harPath}
	for flag, name := range reports {
		args = append(args, flag, filepath.Join(dir, name))
	}
	_, stdout, stderr := runEnv(t, nil, args...)
	outputs["verify stdout"], outputs["verify stderr"] = stdout, stderr
	for _, name := range reports {
		outputs["verify "+name] = string(must(os.ReadFile(filepath.Join(dir, name))))
	}

	// qapi contract against a cluster that logs in and then hands the
	// password and token back, encoded, in every answer.
	leaky := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/session/login" {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"bearer_token":"`+hostileToken+`"}`)
			return
		}
		pw := base64.StdEncoding.EncodeToString([]byte("admin:" + hostilePassword))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, `{"description":"basic %s, %s, %s"}`, pw, url.PathEscape(hostilePassword), base64.URLEncoding.EncodeToString([]byte(r.Header.Get("Authorization"))))
	}))
	t.Cleanup(leaky.Close)
	env := map[string]string{"QUMULO_URL": leaky.URL, "QUMULO_USERNAME": "admin", "QUMULO_PASSWORD": hostilePassword}
	args = []string{"contract"}
	for flag, name := range reports {
		args = append(args, flag, filepath.Join(dir, "c-"+name))
	}
	_, stdout, stderr = runEnv(t, env, args...)
	outputs["contract stdout"], outputs["contract stderr"] = stdout, stderr
	for _, name := range reports {
		outputs["contract "+name] = string(must(os.ReadFile(filepath.Join(dir, "c-"+name))))
	}

	// The client, redirected elsewhere: its log and errors.
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, upstream.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(redirect.Close)
	var clientLog bytes.Buffer
	c, err := client.New(redirect.URL, client.WithCredentials("admin", hostilePassword),
		client.WithLogger(slog.New(slog.NewTextHandler(&clientLog, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if err != nil {
		t.Fatal(err)
	}
	var errs []string
	errs = append(errs, fmt.Sprint(c.Login(context.Background())))
	errs = append(errs, fmt.Sprint(c.UseKMSKeyStore(context.Background(), client.KMSConfig{Hostname: "kms", KeyID: "k", ServerCACert: "c", ClientCert: "c", ClientPrivateKey: hostileKey})))
	outputs["client log"], outputs["client errors"] = clientLog.String(), strings.Join(errs, "\n")

	// The outputs are about the traffic, not empty.
	for name, want := range map[string]string{
		"recording": "/v2/encryption/key-store", "verify stdout": "FAIL response_schema_conformance",
		"contract stdout": "FAIL not_a_server_error", "verify r.html": "[REDACTED", "client errors": "redirect",
	} {
		if !strings.Contains(outputs[name], want) {
			t.Errorf("%s does not say %q:\n%s", name, want, outputs[name])
		}
	}
	assertNoSecret(t, outputs)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// qapi proxy --tls serves HTTPS with a generated certificate written to
// --cert-out, or with --cert and --key; a client that trusts the
// certificate gets through to the cluster.
func TestHostileProxyTLS(t *testing.T) {
	t.Parallel()
	upstream := httptest.NewServer(http.HandlerFunc(echo))
	t.Cleanup(upstream.Close)
	dir := t.TempDir()
	cert, certPEM, err := tlscert.SelfSigned(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}, "test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	if err := os.WriteFile(certFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	keyPEM := "-----BEGIN PRIVATE KEY-----\n" + base64.StdEncoding.EncodeToString(keyDER) + "\n-----END PRIVATE KEY-----\n"
	if err := os.WriteFile(keyFile, []byte(keyPEM), 0o600); err != nil {
		t.Fatal(err)
	}
	generated := filepath.Join(dir, "proxy.pem")
	for name, args := range map[string][]string{
		"generated": {"--tls", "--cert-out", generated},
		"given":     {"--cert", certFile, "--key", keyFile},
	} {
		p := startProxy(t, nil, append([]string{"--upstream", upstream.URL}, args...)...)
		if !strings.HasPrefix(p.url, "https://") {
			t.Fatalf("%s: the proxy listens on %s", name, p.url)
		}
		ca := certFile
		if name == "generated" {
			ca = generated
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(must(os.ReadFile(ca)))
		hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
		resp, err := hc.Get(p.url + "/v2/encryption/key-store")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", name, resp.StatusCode)
		}
		hc.CloseIdleConnections()
		p.stop(t)
	}
	for _, args := range [][]string{{"--cert", certFile}, {"--cert-out", generated}, {"--cert", certFile, "--key", keyFile, "--cert-out", generated}} {
		code, _, stderr := runEnv(t, nil, append([]string{"proxy", "--upstream", upstream.URL}, args...)...)
		if code != exitUsage {
			t.Errorf("%v: exit %d, want %d: %s", args, code, exitUsage, stderr)
		}
	}
}

// The proxy cuts idle and slow clients and caps its connections (the
// limits themselves are internal/serve's tests).
func TestHostileProxyServerLimits(t *testing.T) {
	t.Parallel()
	upstream := httptest.NewServer(http.HandlerFunc(echo))
	t.Cleanup(upstream.Close)
	p := startProxy(t, nil, "--upstream", upstream.URL)
	m := p.cmd
	m.mu.Lock()
	srv := m.srv
	m.mu.Unlock()
	if srv.ReadHeaderTimeout != serve.ReadHeaderTimeout || srv.IdleTimeout != serve.IdleTimeout {
		t.Errorf("timeouts: header %v, idle %v", srv.ReadHeaderTimeout, srv.IdleTimeout)
	}
	p.stop(t)
}

// A second signal quits at once, for a command that does not stop at the
// first (generate on a document oapi-codegen takes hours over).
func TestHostileSecondSignalQuits(t *testing.T) {
	t.Parallel()
	sig := make(chan os.Signal)
	ctx, cancel := context.WithCancel(context.Background())
	exited := make(chan int, 1)
	var stderr syncBuffer
	go stopOnSignals(sig, cancel, &stderr, func(code int) { exited <- code })
	sig <- syscall.SIGTERM
	<-ctx.Done()
	select {
	case code := <-exited:
		t.Fatalf("quit (%d) at the first signal", code)
	default:
	}
	sig <- os.Interrupt
	if code := <-exited; code != exitQuit {
		t.Errorf("exit %d, want %d", code, exitQuit)
	}
	if !strings.Contains(stderr.String(), "again to quit at once") {
		t.Errorf("stderr: %s", stderr.String())
	}
}

// A long stage returns when the context ends, however long the work goes
// on.
func TestHostileLongStageInterruptible(t *testing.T) {
	t.Parallel()
	block := make(chan struct{})
	defer close(block)
	ctx, cancel := context.WithCancel(context.Background())
	go cancel()
	_, err := interruptible(ctx, func() (int, error) { <-block; return 0, nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

// generate replaces what an earlier run wrote and says so; it leaves a
// hand-written api.yaml, NAME.gen.go or accessors.gen.go alone unless --force.
func TestHostileGenerateDoesNotClobber(t *testing.T) {
	t.Parallel()
	// A few pages are enough to find out what generate replaces; the whole
	// guide would cost a minute of code generation per case.
	docs := filepath.Join(repoRoot, "docs", "rest-api-guide", "encryption-at-rest-v2")
	for name, tc := range map[string]struct {
		files     map[string]string
		force     bool
		wantCode  int
		wantWords string
	}{
		"hand-written api.yaml":  {map[string]string{"api.yaml": "mine\n"}, false, exitFail, "api.yaml exists but"},
		"hand-written gen.go":    {map[string]string{"api.yaml": "x\n", "p.gen.go": "package p // mine\n"}, false, exitFail, "is not generated code"},
		"hand-written accessors": {map[string]string{"api.yaml": "old\n", "p.gen.go": "// Code generated by x DO NOT EDIT.\npackage p\n", "accessors.gen.go": "package p // mine\n"}, false, exitFail, "accessors.gen.go exists and is not generated code"},
		"forced":                 {map[string]string{"api.yaml": "mine\n"}, true, exitOK, "replaced"},
		"earlier run":            {map[string]string{"api.yaml": "old\n", "p.gen.go": "// Code generated by x DO NOT EDIT.\npackage p\n"}, false, exitOK, "replaced"},
		"fresh folder":           {nil, false, exitOK, "wrote"},
	} {
		out := t.TempDir()
		for f, content := range tc.files {
			if err := os.WriteFile(filepath.Join(out, f), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		args := []string{"generate", "--docs", docs, "--out", out, "--package", "p"}
		if tc.force {
			args = append(args, "--force")
		}
		code, _, stderr := execQapi(t, args...)
		if code != tc.wantCode || !strings.Contains(stderr, tc.wantWords) {
			t.Errorf("%s: exit %d, stderr %q; want %d and %q", name, code, stderr, tc.wantCode, tc.wantWords)
		}
		if tc.wantCode != exitOK {
			for f, content := range tc.files {
				if got := string(must(os.ReadFile(filepath.Join(out, f)))); got != content {
					t.Errorf("%s: %s was replaced", name, f)
				}
			}
		}
	}
}
