package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/qapitools/qapi/redact"
)

// DefaultPort is the port of the REST API on a Qumulo cluster; New assumes
// it when the base URL names none.
const DefaultPort = "8000"

// Client talks to one Qumulo cluster. It is safe for concurrent use; create
// one per cluster and share it.
type Client struct {
	// Services has every operation of the contract as a method, by area:
	// c.SMB.ListShares, c.Files.CreateFileEntry (services.gen.go).
	Services

	base    *url.URL
	server  string       // base as a string, for the generated request builders
	send    *http.Client // sends one attempt
	log     *slog.Logger // redacting
	red     *redact.Redactor
	retry   RetryPolicy
	timeout time.Duration
	ua      string
	auth    *authState
	// maxBody bounds every answer's body (WithMaxResponseBytes).
	maxBody int64

	// sleep waits between attempts; tests replace it to observe waits.
	sleep func(ctx context.Context, d time.Duration) error
}

// New returns a client for the cluster at baseURL, such as
// "https://qumulo.example.com" or "qumulo.example.com:8000". A missing scheme
// means https; a missing port means 8000. New does not contact the cluster:
// the first call logs in (see WithCredentials), and Login checks credentials
// early if wanted.
//
// By default the client verifies the cluster's certificate against the
// system roots, with TLS 1.2 or later, on an HTTP transport of its own; most
// clusters have a self-signed certificate, so pass it with WithCAFile.
func New(baseURL string, opts ...Option) (*Client, error) {
	cfg := config{timeout: DefaultTimeout, maxBody: DefaultMaxResponseBytes, retry: DefaultRetryPolicy(), userAgent: DefaultUserAgent}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, fmt.Errorf("new client: %w", err)
		}
	}
	if cfg.insecure && cfg.roots != nil {
		return nil, errors.New("new client: WithInsecureSkipVerify and WithCABundle/WithCAFile contradict each other; keep the CA")
	}
	if cfg.httpClient != nil && (cfg.insecure || cfg.roots != nil) {
		return nil, errors.New("new client: WithHTTPClient decides TLS itself; configure its transport instead of WithCABundle, WithCAFile or WithInsecureSkipVerify")
	}
	base, err := parseBaseURL(baseURL)
	if err != nil {
		return nil, fmt.Errorf("new client: %w", err)
	}

	c := &Client{
		base:    base,
		server:  base.String(),
		red:     redact.New(),
		retry:   cfg.retry,
		timeout: cfg.timeout,
		ua:      cfg.userAgent,
		maxBody: cfg.maxBody,
		sleep:   sleepCtx,
	}
	logger := cfg.logger
	if logger == nil {
		logger = slog.Default()
	}
	c.log = slog.New(c.red.Handler(logger.Handler()))

	c.red.Add(cfg.password.reveal())
	c.red.Add(cfg.token.reveal())
	c.auth = &authState{c: c, user: cfg.user, password: cfg.password, hasCreds: cfg.hasCreds, token: cfg.token}

	// Credentials go to the cluster only: a redirect, to another host or
	// another port of this one, would carry the token, the request body
	// (a private key) and, on login, the password.
	if cfg.httpClient != nil {
		hc := *cfg.httpClient
		hc.CheckRedirect = refuseRedirect
		c.send = &hc
	} else {
		c.send = &http.Client{Transport: newTransport(&cfg), CheckRedirect: refuseRedirect}
	}
	if cfg.insecure {
		c.log.LogAttrs(context.Background(), slog.LevelWarn,
			"qapi: TLS certificate verification is disabled by WithInsecureSkipVerify; anyone on the network path can read the password and token; use WithCAFile outside throwaway test clusters",
			slog.String("base_url", c.server))
	}

	c.Services = newServices(c)
	return c, nil
}

// ErrRedirect matches the error of a call the cluster answered with a
// redirect, which the client does not follow.
var ErrRedirect = errors.New("redirect not followed")

func refuseRedirect(req *http.Request, via []*http.Request) error {
	return fmt.Errorf("the cluster answered %d with a redirect to %s; the client does not follow it, so credentials and the request body stay with the cluster: %w",
		req.Response.StatusCode, req.URL.Redacted(), ErrRedirect)
}

// ErrResponseTooLarge matches the error of reading an answer's body past
// the bound (WithMaxResponseBytes).
var ErrResponseTooLarge = errors.New("response body too large")

// limitedBody fails a read past the bound instead of handing the caller
// however much the peer sends.
type limitedBody struct {
	io.ReadCloser
	left, limit int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more tells a body of exactly the bound from a longer one.
		var one [1]byte
		if n, err := b.ReadCloser.Read(one[:]); n == 0 {
			return 0, err
		}
		return 0, fmt.Errorf("%w: over %d bytes (see client.WithMaxResponseBytes)", ErrResponseTooLarge, b.limit)
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}

// parseBaseURL accepts "host", "host:port", "https://host[:port][/prefix]".
func parseBaseURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, errors.New("empty base URL")
	}
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("base URL: %w", err)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, fmt.Errorf("base URL %q: scheme must be https or http", raw)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("base URL %q: no host", raw)
	}
	if u.User != nil {
		return nil, fmt.Errorf("base URL: credentials in the URL are not supported; use WithCredentials")
	}
	if u.Port() == "" {
		u.Host = net.JoinHostPort(u.Hostname(), DefaultPort)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}

// newTransport builds the client's own transport: never http.DefaultTransport,
// so no other code in the process changes its TLS settings, and its settings
// change no one else's.
func newTransport(cfg *config) *http.Transport {
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.roots != nil {
		tlsConf.RootCAs = cfg.roots
	}
	if cfg.insecure {
		tlsConf.InsecureSkipVerify = true //nolint:gosec // explicit opt-in, warned about in New
	}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       tlsConf,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// BaseURL returns the cluster's base URL, with the port made explicit.
func (c *Client) BaseURL() string { return c.server }

// String describes the client without its credentials.
func (c *Client) String() string { return "client.Client(" + c.server + ")" }

// GoString describes the client without its credentials, so %#v cannot leak them.
func (c *Client) GoString() string {
	return "&client.Client{BaseURL: " + fmt.Sprintf("%q", c.server) + "}"
}

// Do sends req to the cluster the way every call of this client is sent:
// with the bearer token (logging in first if needed), the User-Agent, a
// re-login and replay when the cluster refuses the token, retries as
// RetryPolicy describes, the WithTimeout bound, and a Debug log line per
// attempt. Every method of the services sends through it. Like http.Client.Do it returns
// answers of every status without error; an error means no answer was
// obtained (network, TLS, context). A request body is read into memory when
// req.GetBody is nil so that it can be replayed.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if c.timeout <= 0 {
		return c.do(ctx, req)
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	resp, err := c.do(ctx, req)
	if err != nil {
		cancel()
		return nil, err
	}
	// The timeout covers reading the body too; release it when the body is closed.
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// cancelOnClose releases a call's timeout context when its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
	once   sync.Once
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.cancel)
	return err
}

// do runs the attempts of one call.
func (c *Client) do(ctx context.Context, req *http.Request) (*http.Response, error) {
	getBody, err := replayableBody(req)
	if err != nil {
		return nil, c.newOpError(req, fmt.Errorf("read request body: %w", err), 0)
	}
	useAuth := c.auth.applies(req)
	// A streamed body that cannot rewind is sent once: replaying it would
	// need all of it held.
	once := getBody == nil && req.Body != nil && req.Body != http.NoBody
	mayRetry := idempotent(req) && !once
	policy := c.retry
	start := time.Now()
	relogged := false

	for attempt := 1; ; attempt++ {
		var (
			token secret
			tgen  uint64
		)
		if useAuth {
			if token, tgen, err = c.auth.current(ctx); err != nil {
				if ctx.Err() != nil {
					return nil, c.newOpError(req, ctx.Err(), attempt)
				}
				return nil, err
			}
		}
		r := req.Clone(ctx)
		if getBody != nil {
			if r.Body, err = getBody(); err != nil {
				return nil, c.newOpError(req, fmt.Errorf("replay request body: %w", err), attempt)
			}
			r.GetBody = getBody
		}
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token.reveal())
		}
		if r.Header.Get("User-Agent") == "" && c.ua != "" {
			r.Header.Set("User-Agent", c.ua)
		}

		t0 := time.Now()
		resp, err := c.send.Do(r)
		c.logAttempt(ctx, r, attempt, resp, err, time.Since(t0))

		if err != nil && ctx.Err() != nil {
			return nil, c.newOpError(req, ctx.Err(), attempt)
		}
		if err == nil && resp.StatusCode == http.StatusUnauthorized && useAuth && c.auth.canRelogin() && !relogged && !once {
			// The session token expired or was revoked: log in once more and
			// replay. The replay is not a retry, so it does not use up an attempt.
			relogged = true
			drain(resp)
			c.auth.refused(tgen)
			c.log.LogAttrs(ctx, slog.LevelDebug, "qapi token refused; logging in again",
				slog.String("method", req.Method), slog.String("path", req.URL.Path))
			attempt--
			continue
		}

		retryable := err != nil && !isCertError(err) && !errors.Is(err, ErrRedirect) || err == nil && retryableStatus(resp.StatusCode)
		if !retryable || !mayRetry || attempt >= policy.MaxAttempts {
			if err != nil {
				return nil, c.newOpError(req, err, attempt)
			}
			return c.answer(req, resp), nil
		}
		wait := policy.backoff(attempt)
		if resp != nil {
			if ra, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
				wait = ra
			}
		}
		deadline, hasDeadline := ctx.Deadline()
		if time.Since(start)+wait > policy.MaxElapsed || hasDeadline && time.Now().Add(wait).After(deadline) {
			// Waiting would outlast the budget: give the caller what we have now.
			if err != nil {
				return nil, c.newOpError(req, err, attempt)
			}
			return c.answer(req, resp), nil
		}
		reason := "transport error"
		if resp != nil {
			reason = resp.Status
		}
		c.log.LogAttrs(ctx, slog.LevelDebug, "qapi retry",
			slog.String("method", req.Method), slog.String("path", req.URL.Path),
			slog.Int("attempt", attempt), slog.String("reason", reason), slog.Duration("wait", wait))
		if resp != nil {
			drain(resp)
		}
		if err := c.sleep(ctx, wait); err != nil {
			return nil, c.newOpError(req, err, attempt)
		}
	}
}

// answer hands resp to the caller with a copy of the caller's own request
// in resp.Request: not the attempt's copy, which carries the bearer token,
// and without the body, which may carry a private key, so that dumping an
// error's Response cannot leak either. Its body fails past the bound, in
// this one place for the services, the helpers and Do alike.
func (c *Client) answer(req *http.Request, resp *http.Response) *http.Response {
	r := req.Clone(req.Context())
	r.Body, r.GetBody = http.NoBody, nil
	resp.Request = r
	if c.maxBody > 0 && !unbounded(req.Context()) {
		resp.Body = &limitedBody{ReadCloser: resp.Body, left: c.maxBody, limit: c.maxBody}
	}
	return resp
}

// logAttempt writes the Debug line of one attempt.
func (c *Client) logAttempt(ctx context.Context, r *http.Request, attempt int, resp *http.Response, err error, d time.Duration) {
	if !c.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("attempt", attempt),
		slog.Duration("duration", d),
	}
	if resp != nil {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", unwrapURLError(err).Error()))
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, "qapi request", attrs...)
}

// replayableBody returns a function that yields a fresh copy of req's body
// for each attempt, reading the body into memory if req cannot rewind it,
// unless the body is a stream (a file's data), which it leaves to be sent
// once (nil).
func replayableBody(req *http.Request) (func() (io.ReadCloser, error), error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	if req.GetBody != nil {
		return req.GetBody, nil
	}
	if sendsOnce(req.Context()) {
		return nil, nil
	}
	b, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	if err != nil {
		return nil, err
	}
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }, nil
}

// drain reads a little of an answer we are discarding so its connection can be reused.
func drain(resp *http.Response) {
	_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
	_ = resp.Body.Close()
}
