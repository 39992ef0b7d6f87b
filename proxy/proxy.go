// Package proxy is a validating reverse proxy: it forwards a client's
// traffic to a Qumulo cluster unchanged and checks every request and
// response against the contract on the way, logging each violation as one
// structured line, and optionally records the traffic as a redacted HAR
// file that qapi verify checks offline.
//
// Only the path is rewritten, to its canonical form (slashes merged, dot
// segments removed, escapes of unreserved characters decoded, %2F kept),
// so that the checks and the cluster act on one path; a path that climbs
// above the root is refused with a 400.
//
// Bodies stream through: the proxy keeps at most MaxBodyBytes of each for
// the checks, and all exchanges in flight keep at most MaxKeptBytes
// together; the schema check of a body it could not keep is skipped (the
// log says so). Exchanges outside the spec pass unchecked, each path
// logged once and counted (Outside). Without FailOnViolation the response checks run after the response
// was sent, so they add no latency to the answer; with it, a violating
// request is answered 400 in Qumulo's error shape without reaching the
// cluster, and a violating response carries an X-Qapi-Violation header.
package proxy

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/qapitools/qapi/check"
	"github.com/qapitools/qapi/har"
	"github.com/qapitools/qapi/internal/qerror"
	"github.com/qapitools/qapi/internal/serve"
)

// DefaultMaxBodyBytes is how much of a body the proxy keeps for the checks.
const DefaultMaxBodyBytes = 8 << 20

// DefaultUpstreamTimeout is how long the upstream may keep the proxy
// waiting, as nginx's proxy_read_timeout defaults to.
const DefaultUpstreamTimeout = 60 * time.Second

// ViolationHeader marks a response that violates the contract, with the
// names of the checks it fails, when FailOnViolation is set.
const ViolationHeader = "X-Qapi-Violation"

// ErrorModule is the module the proxy's own errors name.
const ErrorModule = "qapi.proxy"

// Config says where to forward and what to check.
type Config struct {
	// Upstream is the cluster, e.g. https://cluster:8000.
	Upstream *url.URL
	// Spec is the contract.
	Spec *openapi3.T
	// Transport reaches the upstream; nil means one that verifies TLS
	// against the system's roots (see Transport).
	Transport http.RoundTripper
	// Logger receives one line per violation and per upstream failure;
	// nil discards them.
	Logger *slog.Logger
	// Recorder, when set, receives every exchange that reached the
	// upstream, redacted.
	Recorder *har.Writer
	// FailOnViolation answers violating requests itself and marks
	// violating responses.
	FailOnViolation bool
	// Strict also fails response bodies with undeclared properties.
	Strict bool
	// MaxBodyBytes bounds what is kept of each body; 0 means
	// DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// MaxKeptBytes bounds what all exchanges in flight keep together, so
	// that many large or stalled bodies at once cannot take the memory
	// they like; 0 means 8 × MaxBodyBytes.
	MaxKeptBytes int64
	// UpstreamTimeout bounds how long the upstream may keep the proxy
	// waiting: for the response headers once the request is sent, and for
	// each read of the response body; with FailOnViolation, for the whole
	// answer, which the client gets nothing of until it is checked. An
	// upstream past it is cut, and a client not yet answered gets a 504;
	// 0 means DefaultUpstreamTimeout.
	UpstreamTimeout time.Duration
}

// Proxy is the validating reverse proxy; it is an http.Handler.
type Proxy struct {
	cfg        Config
	checker    *check.Checker
	rp         *httputil.ReverseProxy
	log        *slog.Logger
	violations atomic.Int64
	exchanges  atomic.Int64
	// kept is the bytes of body the exchanges in flight keep.
	kept    atomic.Int64
	outside check.Outside
}

// New builds a proxy.
func New(cfg Config) (*Proxy, error) {
	if cfg.Upstream == nil || cfg.Upstream.Host == "" || (cfg.Upstream.Scheme != "http" && cfg.Upstream.Scheme != "https") {
		return nil, errors.New("proxy: the upstream must be an http or https URL with a host")
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.MaxKeptBytes <= 0 {
		cfg.MaxKeptBytes = 8 * cfg.MaxBodyBytes
	}
	if cfg.UpstreamTimeout <= 0 {
		cfg.UpstreamTimeout = DefaultUpstreamTimeout
	}
	if cfg.Transport == nil {
		t, err := Transport(nil, false)
		if err != nil {
			return nil, err
		}
		cfg.Transport = t
	}
	checker, err := check.NewChecker(cfg.Spec, check.WithStrict(cfg.Strict))
	if err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewJSONHandler(io.Discard, nil))
	}
	// Each line is built from redacted values; the handler is the net for
	// what a future change forgets.
	log = slog.New(checker.Redactor().Handler(log.Handler()))
	p := &Proxy{cfg: cfg, checker: checker, log: log}
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(cfg.Upstream)
		},
		Transport:      cfg.Transport,
		ModifyResponse: p.modifyResponse,
		ErrorHandler:   p.upstreamError,
		ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelError),
		// FlushInterval stays 0: answers of unknown length (streams) are
		// flushed as they come anyway, and a large body leaves in buffer-
		// sized writes; flushing every write would cost a syscall each.
	}
	return p, nil
}

// Violations is how many violations the proxy has logged.
func (p *Proxy) Violations() int64 { return p.violations.Load() }

// Exchanges is how many requests the proxy has handled.
func (p *Proxy) Exchanges() int64 { return p.exchanges.Load() }

// Outside counts the exchanges outside the spec by method and path.
func (p *Proxy) Outside() []check.OutsideSpec { return p.outside.List() }

// Transport builds the upstream transport: TLS verified against caPEM when
// given (only those CAs), else the system's roots; insecure skips
// verification, which the caller must warn about. How long the upstream
// may take to answer is the proxy's to bound (Config.UpstreamTimeout).
func Transport(caPEM []byte, insecure bool) (*http.Transport, error) {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	if len(caPEM) > 0 {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(caPEM) {
			return nil, errors.New("proxy: the CA file holds no PEM certificate")
		}
		t.TLSClientConfig.RootCAs = pool
	}
	t.TLSClientConfig.InsecureSkipVerify = insecure
	t.MaxIdleConnsPerHost = 256
	return t, nil
}

type ctxKey struct{}

// flight is the proxy's record of one request in flight.
type flight struct {
	started time.Time
	traffic check.Traffic
	capture *capture
	checked bool
	failed  error
	// held is the budget (MaxKeptBytes) this exchange took.
	held int64
	// clock cuts the upstream when it keeps the proxy waiting too long.
	clock *upstreamClock
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.exchanges.Add(1)
	ex := &flight{started: time.Now()}
	defer func() { p.kept.Add(-ex.held) }()
	if err := normalizePath(r); err != nil {
		path := p.checker.Redactor().Text(r.URL.EscapedPath())
		p.log.Info("request refused: its path cannot be normalized", "method", r.Method, "path", path, "error", err.Error())
		writeError(w, http.StatusBadRequest, "http_bad_request_error", fmt.Sprintf("qapi proxy: the path %s cannot be normalized: %v", path, err))
		return
	}
	serve.StallBody(w, r)
	body, truncated, err := p.keepBody(r, ex)
	if err != nil {
		writeError(w, http.StatusBadRequest, "http_bad_request_error", "qapi proxy: read the request body: "+err.Error())
		return
	}
	// What the checks and the recording see: the request as sent to the
	// cluster, with the cluster's URL, its path as escaped as the client
	// sent it (a file path in /v1/files/{ref} is one %2F-escaped segment).
	seen := r.Clone(context.Background())
	target := *p.cfg.Upstream
	target.Path = singleJoin(p.cfg.Upstream.Path, r.URL.Path)
	target.RawPath = singleJoin(p.cfg.Upstream.EscapedPath(), r.URL.EscapedPath())
	target.RawQuery = r.URL.RawQuery
	seen.URL = &target
	seen.Body = nil
	ex.traffic = check.Traffic{Request: seen, RequestBody: body, RequestBodyTruncated: truncated}
	ex.traffic.Redactor = p.checker.Scope(ex.traffic)
	if truncated {
		p.log.Info("request body too large to keep: schema not checked", "method", r.Method, "path", p.redactPath(ex, r), "kept_bytes", p.cfg.MaxBodyBytes)
	}
	if _, known := p.checker.Route(seen); !known {
		path := p.redactPath(ex, r)
		if p.outside.Add(r.Method, path) {
			p.log.Info("request outside the spec: not checked (counted; the counts are logged when the proxy stops)", "method", r.Method, "path", path)
		}
	}
	if vs := p.checker.CheckRequest(ex.traffic); len(vs) > 0 {
		p.logViolations(r, ex, vs, 0)
		if p.cfg.FailOnViolation {
			w.Header().Set(ViolationHeader, checkNames(vs))
			writeError(w, http.StatusBadRequest, "qapi_contract_violation_error",
				"qapi proxy: the request violates the contract, so it was not sent to the cluster: "+describe(vs))
			return
		}
	}
	ctx, cut := context.WithCancelCause(context.WithValue(r.Context(), ctxKey{}, ex))
	defer cut(nil)
	ex.clock = p.startClock(cut, r, ex)
	defer ex.clock.stop()
	if truncated {
		r.Body = readCloser{&clientBody{r.Body, ex.clock}, r.Body}
	}
	r = r.WithContext(ctx)
	lw := &lazyHeader{ResponseWriter: w}
	p.forward(lw, r, ex)
	if ex.failed != nil {
		return
	}
	if !ex.checked {
		if ex.capture != nil {
			ex.traffic.Body, ex.traffic.BodyTruncated = ex.capture.kept()
			ex.traffic.Body, ex.traffic.BodyTruncated = p.decoded(ex.traffic)
			p.noteTruncated(r, ex)
		}
		if vs := p.checker.CheckResponse(ex.traffic); len(vs) > 0 {
			p.logViolations(r, ex, vs, ex.traffic.Status)
		}
	}
	if p.cfg.Recorder != nil {
		entry := har.NewEntry(ex.traffic.Redactor, ex.started, time.Since(ex.started), ex.traffic)
		if err := p.cfg.Recorder.Add(entry); err != nil {
			p.log.Error("recording failed", "error", err.Error())
		}
	}
}

// forward sends r to the upstream and its answer to the client through lw.
// Until the answer's first byte goes out, an upstream cut for its timeout
// still gets the client a 504 in place of the answer.
func (p *Proxy) forward(lw *lazyHeader, r *http.Request, ex *flight) {
	defer func() {
		v := recover()
		if v != nil && v != http.ErrAbortHandler {
			panic(v)
		}
		if !lw.sent && errors.Is(context.Cause(r.Context()), errUpstreamTimeout) {
			ex.failed = errUpstreamTimeout
			clear(lw.Header())
			lw.status = 0
			p.gatewayTimeout(lw)
			v = nil
		}
		if v != nil {
			panic(v) // the answer is under way or lost: the server cuts the client
		}
		lw.Flush()
	}()
	p.rp.ServeHTTP(lw, r)
}

// lazyHeader holds the status of an answer back until its first byte or
// flush, so that it can still be replaced by an error.
type lazyHeader struct {
	http.ResponseWriter
	status int
	sent   bool
}

func (w *lazyHeader) WriteHeader(code int) {
	if code < 200 { // informational: passes at once
		w.ResponseWriter.WriteHeader(code)
		return
	}
	if w.status == 0 {
		w.status = code
	}
}

func (w *lazyHeader) send() {
	if !w.sent && w.status != 0 {
		w.sent = true
		w.ResponseWriter.WriteHeader(w.status)
	}
}

func (w *lazyHeader) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.send()
	return w.ResponseWriter.Write(b)
}

// Flush sends what there is; a response controller finds it by Unwrap.
func (w *lazyHeader) Flush() {
	w.send()
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap gives a response controller the writer underneath.
func (w *lazyHeader) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// keepBody reads up to MaxBodyBytes of the request body for the checks and
// puts it back in front of the rest, so the upstream gets it all.
func (p *Proxy) keepBody(r *http.Request, ex *flight) ([]byte, bool, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, false, nil
	}
	buf, whole, err := p.keep(r.Context(), r.Body, r.ContentLength, ex)
	if err != nil {
		return nil, false, err
	}
	if whole {
		r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(buf))
		// A body read whole goes on with its length, not re-framed as
		// chunked, for an upstream that does not take chunked requests;
		// GetBody lets the transport send it again on a fresh connection.
		// Declared trailers still need chunked framing.
		if len(r.Trailer) == 0 {
			r.ContentLength, r.TransferEncoding = int64(len(buf)), nil
			r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf)), nil }
		}
		return buf, false, nil
	}
	r.Body = readCloser{io.MultiReader(bytes.NewReader(buf), r.Body), r.Body}
	return nil, true, nil
}

// keep reads body into memory while it fits MaxBodyBytes and the budget
// (MaxKeptBytes) the exchanges in flight share, charging ex for what it
// takes; whole says it read to the end. size is the length the peer
// announced, -1 if none: a body announced too large is not read at all.
func (p *Proxy) keep(ctx context.Context, body io.Reader, size int64, ex *flight) (buf []byte, whole bool, err error) {
	if size > p.cfg.MaxBodyBytes {
		return nil, false, nil
	}
	for {
		if len(buf) == cap(buf) && !p.grow(ctx, &buf, size, ex) {
			return buf, false, nil
		}
		n, err := body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			return buf, int64(len(buf)) <= p.cfg.MaxBodyBytes, nil
		}
		if err != nil {
			return buf, false, err
		}
	}
}

// grow makes room in *buf, doubling it within MaxBodyBytes+1 and the
// budget, so that what a peer holds is what it sent, not what it announced
// (a small body of known size gets size+1 at once, to see its end).
func (p *Proxy) grow(ctx context.Context, buf *[]byte, size int64, ex *flight) bool {
	have := int64(cap(*buf))
	next := max(2*have, 4096)
	if have == 0 && size >= 0 && size < smallBody {
		next = size + 1
	}
	next = min(next, p.cfg.MaxBodyBytes+1)
	if next <= have {
		return false
	}
	if p.kept.Add(next-have) > p.cfg.MaxKeptBytes {
		p.kept.Add(have - next)
		return false
	}
	ex.held += next - have
	serve.Hold(ctx, int(next-have))
	nb := make([]byte, len(*buf), next)
	copy(nb, *buf)
	*buf = nb
	return true
}

// smallBody is the size below which a body's announced length is allocated
// at once.
const smallBody = 64 << 10

type readCloser struct {
	io.Reader
	io.Closer
}

func (p *Proxy) modifyResponse(resp *http.Response) error {
	ex, _ := resp.Request.Context().Value(ctxKey{}).(*flight)
	if ex == nil {
		return nil
	}
	ex.traffic.Status = resp.StatusCode
	ex.traffic.Header = resp.Header.Clone()
	ctx := resp.Request.Context()
	ex.clock.answered()
	if !p.cfg.FailOnViolation {
		ex.clock.stop()
		ex.capture = &capture{rc: resp.Body, p: p, ctx: ctx, ex: ex, size: resp.ContentLength,
			truncated: resp.ContentLength > p.cfg.MaxBodyBytes} // never kept, so never buffered
		resp.Body = ex.capture
		return nil
	}
	// The header must say whether the answer violates the contract, so
	// read the body (up to the cap) before the first byte goes out, within
	// the time the upstream has left.
	buf, whole, err := p.keep(ctx, resp.Body, resp.ContentLength, ex)
	if err != nil {
		return err
	}
	ex.clock.stop()
	if whole {
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(buf))
		ex.traffic.Body = buf
		ex.traffic.Body, ex.traffic.BodyTruncated = p.decoded(ex.traffic)
	} else {
		resp.Body = readCloser{io.MultiReader(bytes.NewReader(buf), &upstreamBody{resp.Body, ex.clock}), resp.Body}
		ex.traffic.BodyTruncated = true
		p.noteTruncated(resp.Request, ex)
	}
	ex.checked = true
	if vs := p.checker.CheckResponse(ex.traffic); len(vs) > 0 {
		p.logViolations(resp.Request, ex, vs, resp.StatusCode)
		resp.Header.Set(ViolationHeader, checkNames(vs))
	}
	return nil
}

// decoded is the kept body as the client will read it: a gzip-encoded
// answer (the client asked for it) is checked and recorded decompressed,
// within the same cap.
func (p *Proxy) decoded(t check.Traffic) ([]byte, bool) {
	if t.BodyTruncated || len(t.Body) == 0 || !strings.EqualFold(t.Header.Get("Content-Encoding"), "gzip") {
		return t.Body, t.BodyTruncated
	}
	zr, err := gzip.NewReader(bytes.NewReader(t.Body))
	if err != nil {
		return nil, true
	}
	plain, err := io.ReadAll(io.LimitReader(zr, p.cfg.MaxBodyBytes+1))
	if err != nil || int64(len(plain)) > p.cfg.MaxBodyBytes {
		return nil, true
	}
	return plain, false
}

func (p *Proxy) noteTruncated(r *http.Request, ex *flight) {
	if ex.traffic.BodyTruncated {
		p.log.Info("response body too large to keep: schema not checked", "method", r.Method, "path", p.redactPath(ex, r), "kept_bytes", p.cfg.MaxBodyBytes)
	}
}

// upstreamError answers 502 in Qumulo's shape when the cluster cannot be
// reached or its answer cannot be read.
func (p *Proxy) upstreamError(w http.ResponseWriter, r *http.Request, err error) {
	ex, _ := r.Context().Value(ctxKey{}).(*flight)
	if ex == nil {
		ex = &flight{traffic: check.Traffic{Redactor: p.checker.Redactor()}}
	}
	ex.failed = err
	msg := ex.traffic.Redactor.Text(err.Error())
	cut := errors.Is(context.Cause(r.Context()), errUpstreamTimeout) // the clock logged it
	var ne net.Error
	if cut || (errors.As(err, &ne) && ne.Timeout()) {
		if !cut {
			p.log.Error("upstream failed", "upstream", p.cfg.Upstream.Redacted(), "method", r.Method, "path", p.redactPath(ex, r), "error", msg)
		}
		p.gatewayTimeout(w)
		return
	}
	if errors.Is(err, context.Canceled) {
		// The client went away; nobody reads an answer.
		p.log.Info("client canceled the request", "method", r.Method, "path", p.redactPath(ex, r))
		return
	}
	p.log.Error("upstream failed", "upstream", p.cfg.Upstream.Redacted(), "method", r.Method, "path", p.redactPath(ex, r), "error", msg)
	writeError(w, http.StatusBadGateway, "http_bad_gateway_error", fmt.Sprintf("qapi proxy: the cluster at %s did not answer: %s", p.cfg.Upstream.Redacted(), msg))
}

// gatewayTimeout answers 504 for an upstream that kept the proxy waiting.
func (p *Proxy) gatewayTimeout(w http.ResponseWriter) {
	writeError(w, http.StatusGatewayTimeout, "http_gateway_timeout_error", fmt.Sprintf("qapi proxy: the cluster at %s did not answer within %s", p.cfg.Upstream.Redacted(), p.cfg.UpstreamTimeout))
}

// writeError answers in Qumulo's error shape.
func writeError(w http.ResponseWriter, status int, class, description string) {
	qerror.Write(w, status, qerror.New(ErrorModule, class, description, false))
}

func (p *Proxy) logViolations(r *http.Request, ex *flight, vs []check.Violation, status int) {
	p.violations.Add(int64(len(vs)))
	for _, v := range vs {
		attrs := []any{
			"operation", v.Operation, "direction", v.Direction, "check", v.Check,
			"field", v.Field, "reason", v.Reason,
			"method", r.Method, "path", p.redactPath(ex, r),
		}
		if status != 0 {
			attrs = append(attrs, "status", status)
		}
		p.log.Warn("contract violation", attrs...)
	}
}

// redactPath is r's path as the client escaped it, redacted.
func (p *Proxy) redactPath(ex *flight, r *http.Request) string {
	return ex.traffic.Redactor.Text(r.URL.EscapedPath())
}

func checkNames(vs []check.Violation) string {
	seen := map[string]bool{}
	var names []string
	for _, v := range vs {
		if !seen[v.Check] {
			seen[v.Check] = true
			names = append(names, v.Check)
		}
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func describe(vs []check.Violation) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = v.Check
		if v.Field != "" {
			parts[i] += " at " + v.Field
		}
		parts[i] += ": " + v.Reason
	}
	return strings.Join(parts, "; ")
}

func singleJoin(a, b string) string {
	switch {
	case a == "" || a == "/":
		return b
	case strings.HasSuffix(a, "/") && strings.HasPrefix(b, "/"):
		return a + b[1:]
	case !strings.HasSuffix(a, "/") && !strings.HasPrefix(b, "/"):
		return a + "/" + b
	}
	return a + b
}

// capture passes a response body through and keeps it while it fits
// MaxBodyBytes and the budget.
type capture struct {
	rc        io.ReadCloser
	p         *Proxy
	ctx       context.Context
	ex        *flight
	size      int64
	buf       []byte
	truncated bool
}

func (c *capture) Read(b []byte) (int, error) {
	c.ex.clock.reset()
	n, err := c.rc.Read(b)
	c.ex.clock.stop()
	for rest := b[:n]; len(rest) > 0 && !c.truncated; {
		if len(c.buf) == cap(c.buf) && !c.p.grow(c.ctx, &c.buf, c.size, c.ex) {
			c.truncated, c.buf = true, nil
			break
		}
		k := copy(c.buf[len(c.buf):cap(c.buf)], rest)
		c.buf, rest = c.buf[:len(c.buf)+k], rest[k:]
	}
	return n, err
}

func (c *capture) Close() error { return c.rc.Close() }

func (c *capture) kept() ([]byte, bool) {
	if c.truncated || int64(len(c.buf)) > c.p.cfg.MaxBodyBytes {
		return nil, true
	}
	return c.buf, false
}

// errUpstreamTimeout is why the proxy cut an upstream that kept it waiting.
var errUpstreamTimeout = errors.New("the upstream kept the proxy waiting past its timeout")

// upstreamClock counts the time the proxy waits on the upstream, and
// cancels the exchange with errUpstreamTimeout once one wait outlasts
// UpstreamTimeout. Time spent waiting on the client (reading a body it
// streams, or writing to it) does not count.
type upstreamClock struct {
	t *time.Timer
	d time.Duration
	// mu orders the request body's pauses with the answer's arrival,
	// after which the request side no longer touches the timer.
	mu     sync.Mutex
	headed bool
}

// startClock starts the wait for the upstream's answer.
func (p *Proxy) startClock(cut context.CancelCauseFunc, r *http.Request, ex *flight) *upstreamClock {
	d := p.cfg.UpstreamTimeout
	return &upstreamClock{d: d, t: time.AfterFunc(d, func() {
		p.log.Error("upstream cut: it kept the proxy waiting too long", "upstream", p.cfg.Upstream.Redacted(), "method", r.Method, "path", p.redactPath(ex, r), "timeout", d.String())
		cut(errUpstreamTimeout)
	})}
}

func (c *upstreamClock) reset() { c.t.Reset(c.d) }
func (c *upstreamClock) stop()  { c.t.Stop() }

// answered marks the response headers' arrival.
func (c *upstreamClock) answered() {
	c.mu.Lock()
	c.headed = true
	c.mu.Unlock()
}

// waitOnClient stops the clock while the request body waits on the
// client, unless the answer has come; done restarts it.
func (c *upstreamClock) waitOnClient(done bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.headed:
	case done:
		c.reset()
	default:
		c.stop()
	}
}

// clientBody is a request body streamed from the client to the upstream.
type clientBody struct {
	r     io.Reader
	clock *upstreamClock
}

func (b *clientBody) Read(p []byte) (int, error) {
	b.clock.waitOnClient(false)
	defer b.clock.waitOnClient(true)
	return b.r.Read(p)
}

// upstreamBody is a response body whose every read the upstream must
// answer within the timeout.
type upstreamBody struct {
	r     io.Reader
	clock *upstreamClock
}

func (b *upstreamBody) Read(p []byte) (int, error) {
	b.clock.reset()
	defer b.clock.stop()
	return b.r.Read(p)
}
