package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/qapitools/qapi/gen"
)

// loginPath is the one operation that must never carry a token or trigger a login.
const loginPath = "/v1/session/login"

// defaultLoginTimeout bounds a login when the client has no timeout of its own.
const defaultLoginTimeout = time.Minute

// authState holds the bearer token and runs logins. A session token lasts
// about ten hours and cannot be refreshed, so when the cluster refuses it the
// client logs in again; all callers that need a token while a login is in
// flight wait for that one login instead of starting their own.
type authState struct {
	c        *Client
	user     string
	password secret
	hasCreds bool

	mu       sync.Mutex
	token    secret     // current token; empty until the first login
	gen      uint64     // bumped on every new token, so stale 401s do not discard a fresh one
	inflight *loginCall // the login in progress, if any
}

// loginCall is one login shared by every caller that asked for a token while it ran.
type loginCall struct {
	done  chan struct{}
	token secret
	gen   uint64
	err   error
}

// enabled reports whether the client authenticates at all.
func (a *authState) enabled() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.hasCreds || a.token != ""
}

// applies reports whether req should carry the client's token: not the login
// itself, and not a request that already has its own Authorization header.
func (a *authState) applies(req *http.Request) bool {
	if req.Header.Get("Authorization") != "" {
		return false
	}
	if req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, loginPath) {
		return false
	}
	return a.enabled()
}

// current returns the token to send and its generation, logging in first
// when there is none. Waiting for a login someone else started ends when
// ctx is done; the login itself carries on for the others.
func (a *authState) current(ctx context.Context) (secret, uint64, error) {
	a.mu.Lock()
	if a.token != "" || !a.hasCreds {
		t, g := a.token, a.gen
		a.mu.Unlock()
		return t, g, nil
	}
	call := a.startLocked(ctx)
	a.mu.Unlock()
	select {
	case <-call.done:
		return call.token, call.gen, call.err
	case <-ctx.Done():
		return "", 0, ctx.Err()
	}
}

// startLocked returns the login in flight, starting one if there is none.
// The login runs detached from the caller's cancellation (but bounded in
// time), so one caller giving up does not fail every other waiting caller.
func (a *authState) startLocked(ctx context.Context) *loginCall {
	if a.inflight != nil {
		return a.inflight
	}
	call := &loginCall{done: make(chan struct{})}
	a.inflight = call
	timeout := a.c.timeout
	if timeout <= 0 {
		timeout = defaultLoginTimeout
	}
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	go func() {
		defer cancel()
		tok, err := a.login(lctx)
		a.mu.Lock()
		if err == nil {
			a.gen++
			a.token = tok
			call.token, call.gen = tok, a.gen
		}
		call.err = err
		a.inflight = nil
		a.mu.Unlock()
		close(call.done)
	}()
	return call
}

// refused records that the token of generation g was refused with a 401.
// A later token is kept: another caller has already logged in again.
func (a *authState) refused(g uint64) {
	a.mu.Lock()
	if a.gen == g && a.hasCreds {
		a.token = ""
	}
	a.mu.Unlock()
}

// canRelogin reports whether a refused token can be replaced.
func (a *authState) canRelogin() bool { return a.hasCreds }

// login posts the credentials and returns the bearer token.
func (a *authState) login(ctx context.Context) (secret, error) {
	c := a.c
	req, err := gen.NewLoginSessionRequest(c.server, gen.Login{Username: a.user, Password: a.password.reveal()})
	if err != nil {
		return "", fmt.Errorf("log in as %q: %w", a.user, err)
	}
	req = req.WithContext(ctx)
	c.log.LogAttrs(ctx, slog.LevelDebug, "qapi login", slog.String("user", a.user))
	resp, err := c.Do(req)
	if err != nil {
		return "", fmt.Errorf("log in as %q: %w", a.user, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	if err != nil {
		return "", fmt.Errorf("log in as %q: read answer: %w", a.user, err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("log in as %q: %w", a.user, newAPIError(resp, body, c.red))
	}
	var creds gen.Credentials
	if err := json.Unmarshal(body, &creds); err != nil {
		return "", fmt.Errorf("log in as %q: decode answer: %w", a.user, errors.New(c.red.Text(err.Error())))
	}
	if creds.BearerToken == "" {
		return "", fmt.Errorf("log in as %q: the answer has no bearer_token", a.user)
	}
	c.red.Add(creds.BearerToken)
	return secret(creds.BearerToken), nil
}

// Login logs in now with the credentials given to WithCredentials, replacing
// any token the client holds. Calling it is optional: the client logs in on
// first use and again when the cluster refuses its token. It is useful to
// check credentials early, such as when a program starts.
func (c *Client) Login(ctx context.Context) error {
	a := c.auth
	a.mu.Lock()
	if !a.hasCreds {
		a.mu.Unlock()
		return errors.New("log in: the client has no credentials (use client.WithCredentials)")
	}
	a.token = ""
	call := a.startLocked(ctx)
	a.mu.Unlock()
	select {
	case <-call.done:
		return call.err
	case <-ctx.Done():
		return ctx.Err()
	}
}
