package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/qapitools/qapi/har"
	"github.com/qapitools/qapi/internal/fileio"
	"github.com/qapitools/qapi/internal/serve"
	"github.com/qapitools/qapi/internal/tlscert"
	"github.com/qapitools/qapi/proxy"
)

// version is what recordings name as their creator's version.
const version = "dev"

const proxySynopsis = `qapi proxy --upstream URL [--listen HOST:PORT] [--tls [--cert-out FILE] | --cert FILE --key FILE] [--spec FILE] [--record FILE.har] [--fail-on-violation] [--upstream-timeout DURATION] [--ca-cert FILE] [--insecure] [--strict]

Forwards every request to the cluster at --upstream (default: $QUMULO_URL) and checks each
request and response against the contract on the way: status, content type, headers,
schemas, write-only values never returned. Each violation is one JSON line on stderr
(operation, direction, check, field, reason). Traffic flows unchanged unless
--fail-on-violation: then a violating request is answered 400 in Qumulo's error shape
without reaching the cluster, and a violating response carries an X-Qapi-Violation header.
--record writes the traffic as a HAR 1.2 file, secrets redacted, valid after every exchange;
check it later with qapi verify. Paths are normalized (slashes merged, dot segments removed,
escapes of unreserved characters decoded, %2F kept) before they are checked and forwarded; a
path climbing above the root is refused with a 400. Requests outside the spec pass unchecked:
each method and path is logged once, and their counts when the proxy stops. TLS to the cluster is verified:
trust a self-signed certificate with --ca-cert FILE (or QUMULO_CA_CERT); --insecure (or
QUMULO_INSECURE=1) skips verification, loudly. For clients that only speak HTTPS, --tls
serves HTTPS with a generated self-signed certificate (written to --cert-out), or with
--cert FILE --key FILE. A cluster that keeps the proxy waiting longer than --upstream-timeout
(60 s: for its response headers, for each read of a body, and with --fail-on-violation for the
whole answer held back to check) is cut, and a client not yet answered gets a 504 in Qumulo's
error shape. At most 256 client connections are open at once; when all are, a new client takes
the place of the one idle the longest, or of one that has not sent a request's headers within
2 s. A body that sends nothing for 30 s is cut. Stops on SIGINT or SIGTERM.
Exit codes: 0 stopped with no violation seen, 1 a violation was seen, 2 usage or setup error.`

type proxyCmd struct {
	stdout, stderr  io.Writer
	getenv          func(string) string
	upstream        string
	listen          string
	spec            string
	record          string
	caCert          string
	insecure        bool
	failOnViolation bool
	strict          bool
	maxBody         int64
	upstreamTimeout time.Duration
	tls             bool
	certOut         string
	certFile        string
	keyFile         string

	// ready receives the proxy's URL once it listens (tests read it).
	ready chan string
	mu    sync.Mutex
	srv   *http.Server
	rec   *har.Writer
}

func (c *proxyCmd) parse(args []string) error {
	fs := newFlagSet("proxy", proxySynopsis, c.stdout)
	fs.StringVar(&c.upstream, "upstream", "", "cluster `URL` to forward to, e.g. https://cluster:8000 (default: $QUMULO_URL)")
	fs.StringVar(&c.listen, "listen", "127.0.0.1:9000", "`HOST:PORT` to listen on (port 0 picks a free one)")
	fs.StringVar(&c.spec, "spec", "", "OpenAPI 3.0 `FILE` to check against (default: the embedded api.yaml)")
	fs.StringVar(&c.record, "record", "", "write the traffic, redacted, as HAR 1.2 to `FILE`")
	fs.StringVar(&c.caCert, "ca-cert", "", "PEM `FILE` of the CA to trust for the cluster's certificate (default: $QUMULO_CA_CERT)")
	fs.BoolVar(&c.insecure, "insecure", false, "do NOT verify the cluster's TLS certificate (also QUMULO_INSECURE=1)")
	fs.BoolVar(&c.failOnViolation, "fail-on-violation", false, "answer violating requests with a 400 and mark violating responses with "+proxy.ViolationHeader)
	fs.BoolVar(&c.strict, "strict", false, "also fail response bodies with properties the schema does not declare")
	fs.Int64Var(&c.maxBody, "max-body", proxy.DefaultMaxBodyBytes, "`BYTES` of each body kept for the checks; larger bodies stream through with their schema unchecked (all exchanges in flight keep at most 8 times this together)")
	fs.DurationVar(&c.upstreamTimeout, "upstream-timeout", proxy.DefaultUpstreamTimeout, "cut the cluster when it keeps the proxy waiting this `DURATION` (for its headers, each read of a body, and with --fail-on-violation the whole answer), answering 504")
	fs.BoolVar(&c.tls, "tls", false, "serve HTTPS to clients, with a generated self-signed certificate unless --cert and --key are given")
	fs.StringVar(&c.certOut, "cert-out", "", "with a generated certificate, write it (PEM) to `FILE` so clients can trust it; default: a file in the temp folder")
	fs.StringVar(&c.certFile, "cert", "", "serve HTTPS with the certificate chain in PEM `FILE` (needs --key; implies --tls)")
	fs.StringVar(&c.keyFile, "key", "", "private key in PEM `FILE` for --cert")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("proxy: unexpected argument %q", pos[0])
	}
	if c.upstream == "" {
		c.upstream = c.getenv(envURL)
	}
	if c.upstream == "" {
		return fmt.Errorf("proxy: --upstream URL is required (or set %s)", envURL)
	}
	u, err := url.Parse(c.upstream)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("proxy: --upstream %q is not an http(s) URL with a host", c.upstream)
	}
	if c.caCert == "" {
		c.caCert = c.getenv(envCACert)
	}
	if c.getenv(envInsecure) == "1" {
		c.insecure = true
	}
	if c.maxBody <= 0 {
		return errors.New("proxy: --max-body must be positive")
	}
	if c.upstreamTimeout <= 0 {
		return fmt.Errorf("proxy: --upstream-timeout %s must be positive", c.upstreamTimeout)
	}
	if (c.certFile == "") != (c.keyFile == "") {
		return errors.New("proxy: --cert and --key go together")
	}
	if c.certFile != "" {
		c.tls = true
		if c.certOut != "" {
			return errors.New("proxy: --cert-out writes a generated certificate; with --cert, clients trust that file")
		}
	}
	if c.certOut != "" && !c.tls {
		return errors.New("proxy: --cert-out needs --tls")
	}
	if c.ready == nil {
		c.ready = make(chan string, 1)
	}
	return nil
}

// Run serves until ctx ends, then lets requests in flight finish.
func (c *proxyCmd) Run(ctx context.Context) error {
	spec, err := (&contractCmd{spec: c.spec}).loadSpec()
	if err != nil {
		return usageError{err}
	}
	upstream, _ := url.Parse(c.upstream)
	var caPEM []byte
	if c.caCert != "" {
		if caPEM, err = os.ReadFile(c.caCert); err != nil {
			return usageError{fmt.Errorf("proxy: CA certificate %s: %w", c.caCert, fileio.PathError(err))}
		}
	}
	if c.insecure {
		fmt.Fprintf(c.stderr, "WARNING: --insecure: TLS certificates of %s are NOT verified; anyone on the path can read the credentials\n", upstream.Redacted())
	}
	transport, err := proxy.Transport(caPEM, c.insecure)
	if err != nil {
		return usageError{fmt.Errorf("%w (%s)", err, c.caCert)}
	}
	logger := slog.New(slog.NewJSONHandler(c.stderr, nil))
	cfg := proxy.Config{
		Upstream: upstream, Spec: spec, Transport: transport, Logger: logger,
		FailOnViolation: c.failOnViolation, Strict: c.strict, MaxBodyBytes: c.maxBody,
		UpstreamTimeout: c.upstreamTimeout,
	}
	if c.record != "" {
		rec, err := har.Create(c.record, version)
		if err != nil {
			return usageError{err}
		}
		c.mu.Lock()
		c.rec = rec
		c.mu.Unlock()
		cfg.Recorder = rec
	}
	p, err := proxy.New(cfg)
	if err != nil {
		return usageError{err}
	}
	ln, err := serve.Listen(c.listen, serve.MaxConns)
	if err != nil {
		return usageError{fmt.Errorf("proxy: %w", err)}
	}
	scheme := "http"
	if c.tls {
		cfg, err := c.serverTLS(ln.Addr())
		if err != nil {
			ln.Close()
			return err
		}
		ln, scheme = tls.NewListener(ln, cfg), "https"
	}
	// No ReadTimeout: uploads through the proxy may be large; a body that
	// stalls is cut instead (serve.StallBody).
	srv := serve.NewServer(p)
	c.mu.Lock()
	c.srv = srv
	c.mu.Unlock()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	self := scheme + "://" + ln.Addr().String()
	logger.Info("qapi proxy listening", "url", self, "upstream", upstream.Redacted(), "record", c.record, "fail_on_violation", c.failOnViolation)
	c.ready <- self
	select {
	case <-ctx.Done():
	case err := <-served:
		if !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("proxy: %w", err)
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	shutErr := srv.Shutdown(sctx)
	c.closeRecording()
	for _, o := range p.Outside() {
		logger.Info("requests outside the spec (not checked)", "method", o.Method, "path", o.Path, "count", o.Count)
	}
	attrs := []any{"exchanges", p.Exchanges(), "violations", p.Violations()}
	if cfg.Recorder != nil {
		attrs = append(attrs, "recorded", cfg.Recorder.Entries(), "record", c.record)
	}
	logger.Info("qapi proxy stopped", attrs...)
	if shutErr != nil {
		return fmt.Errorf("proxy: shut down: %w", shutErr)
	}
	if p.Violations() > 0 {
		return errViolations
	}
	return nil
}

// serverTLS is the certificate the proxy presents to its clients: the
// given one, or a generated one written where clients can find it.
func (c *proxyCmd) serverTLS(addr net.Addr) (*tls.Config, error) {
	if c.certFile != "" {
		cert, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
		if err != nil {
			return nil, usageError{fmt.Errorf("proxy: --cert %s --key %s: %w", c.certFile, c.keyFile, err)}
		}
		return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
	}
	cert, certPEM, err := tlscert.SelfSigned(addr, "qapi proxy", time.Now())
	if err != nil {
		return nil, fmt.Errorf("proxy: %w", err)
	}
	out := c.certOut
	if out == "" {
		out = filepath.Join(os.TempDir(), "qapi-proxy-cert.pem")
	}
	if err := fileio.WriteAtomic(out, certPEM); err != nil {
		return nil, usageError{fmt.Errorf("proxy: write certificate: %w", err)}
	}
	fmt.Fprintf(c.stderr, "qapi proxy: certificate in %s (curl --cacert %s)\n", out, out)
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// errViolations makes the process exit 1 after a proxy or verify run that
// saw a contract violation.
var errViolations = errors.New("the traffic violated the contract")

func (c *proxyCmd) closeRecording() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rec != nil {
		if err := c.rec.Close(); err != nil {
			fmt.Fprintf(c.stderr, "qapi proxy: close the recording: %v\n", err)
		}
		c.rec = nil
	}
}

// Close stops the server and closes the recording if Run did not get to.
func (c *proxyCmd) Close() {
	c.mu.Lock()
	srv := c.srv
	c.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
	c.closeRecording()
}
