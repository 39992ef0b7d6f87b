package client

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RetryPolicy bounds how the client retries a request that failed in a way
// that may pass on a second try: a transport error (connection refused or
// reset, no answer) or a 429, 502, 503 or 504 answer. A call whose context
// is done (cancelled, or past its deadline or the WithTimeout bound) is not
// retried.
//
// Only requests that are safe to send twice are retried: GET, HEAD, OPTIONS,
// TRACE, PUT and DELETE, and other methods except POST when they carry an
// If-Match header (the server refuses a replay whose precondition no longer
// holds). POST is never retried. TLS certificate failures are never retried.
//
// The wait before retry n is a random duration between half and all of
// MinBackoff·2^(n-1), capped at MaxBackoff ("equal jitter"). When the answer
// carries Retry-After (seconds or an HTTP date), that wait is used instead.
// The client gives up, returning the last answer or error, once MaxAttempts
// attempts were made or when the next wait would end after MaxElapsed since
// the first attempt or after the context's deadline. Every wait ends early
// when the context is done, and the call then returns the context's error.
//
// Zero fields take their value from DefaultRetryPolicy; set MaxAttempts to 1
// to turn retries off.
type RetryPolicy struct {
	// MaxAttempts is the total number of attempts, the first one included.
	MaxAttempts int
	// MinBackoff is the base of the first wait.
	MinBackoff time.Duration
	// MaxBackoff caps each computed wait (Retry-After is not capped by it).
	MaxBackoff time.Duration
	// MaxElapsed caps the time from the first attempt to the start of the last.
	MaxElapsed time.Duration
}

// DefaultRetryPolicy is the policy of a client created without WithRetry:
// 4 attempts, waits from 250ms doubling up to 8s, at most 30s in all.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxAttempts: 4, MinBackoff: 250 * time.Millisecond, MaxBackoff: 8 * time.Second, MaxElapsed: 30 * time.Second}
}

// withDefaults fills zero fields from DefaultRetryPolicy.
func (p RetryPolicy) withDefaults() RetryPolicy {
	d := DefaultRetryPolicy()
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = d.MaxAttempts
	}
	if p.MinBackoff <= 0 {
		p.MinBackoff = d.MinBackoff
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = d.MaxBackoff
	}
	if p.MaxBackoff < p.MinBackoff {
		p.MaxBackoff = p.MinBackoff
	}
	if p.MaxElapsed <= 0 {
		p.MaxElapsed = d.MaxElapsed
	}
	return p
}

// backoff returns the wait before retry number n (1 for the first retry).
func (p RetryPolicy) backoff(n int) time.Duration {
	d := p.MinBackoff
	for i := 1; i < n && d < p.MaxBackoff; i++ {
		d *= 2
	}
	if d > p.MaxBackoff {
		d = p.MaxBackoff
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// idempotent reports whether req may be sent again without changing its effect.
func idempotent(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete, "":
		return true
	case http.MethodPost:
		return false
	default:
		return req.Header.Get("If-Match") != ""
	}
}

// retryableStatus reports whether an answer with this status may pass on a second try.
func retryableStatus(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// parseRetryAfter reads a Retry-After header: delay-seconds or an HTTP date.
// A date in the past means no wait.
func parseRetryAfter(h string, now time.Time) (time.Duration, bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(h, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(24*time.Hour/time.Second) {
			secs = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(h); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// sleepCtx waits for d or until ctx is done, whichever comes first.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
