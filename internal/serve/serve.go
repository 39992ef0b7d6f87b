// Package serve holds what qapi's servers (the mock and the proxy) do
// against slow and greedy peers: a cap on open connections that reclaims
// idle ones when clients wait, timeouts for headers, bodies and idle
// connections, and handing the memory of large bodies back to the
// operating system once they are gone, so that a burst of big or stalled
// uploads does not leave a server at its peak size.
package serve

import (
	"context"
	"io"
	"net/http"
	"runtime/debug"
	"sync/atomic"
	"time"
)

// Limits every qapi server sets.
const (
	// MaxConns caps open connections; past it, a new one takes the place
	// of an idle or silent one (see Listen), or waits in the kernel's
	// backlog until one closes.
	MaxConns = 256
	// ReadHeaderTimeout cuts a client that dribbles its headers.
	ReadHeaderTimeout = 10 * time.Second
	// IdleTimeout closes keep-alive connections nobody uses.
	IdleTimeout = 2 * time.Minute
	// StallTimeout cuts a body that sends nothing for this long.
	StallTimeout = 30 * time.Second
)

// NewServer is an http.Server for h with the header and idle timeouts,
// which tells a listener from Listen which connections are idle.
// Bodies are bounded by StallBody (a proxy streams large bodies for as long
// as they keep coming) or by a ReadTimeout the caller sets.
func NewServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: ReadHeaderTimeout, IdleTimeout: IdleTimeout, ConnState: trackState}
}

// StallBody makes every read of r's body fail once the client has sent
// nothing for StallTimeout, however long the whole body takes.
func StallBody(w http.ResponseWriter, r *http.Request) {
	if r.Body == nil || r.Body == http.NoBody {
		return
	}
	r.Body = &stallReader{ReadCloser: r.Body, rc: http.NewResponseController(w)}
}

// stallAfter is StallTimeout; a test shortens it.
var stallAfter = StallTimeout

type stallReader struct {
	io.ReadCloser
	rc *http.ResponseController
}

func (s *stallReader) Read(p []byte) (int, error) {
	// A writer that cannot set deadlines (a test recorder) just reads.
	_ = s.rc.SetReadDeadline(time.Now().Add(stallAfter))
	n, err := s.ReadCloser.Read(p)
	if err != nil {
		// The server reads on in the background once the body is done,
		// and a timeout there would cancel the request.
		_ = s.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}

// Memory handed back: bodies of at least holdFrom bytes are counted while
// their request lasts; when none is left and together they had reached
// giveBackFrom, the heap is collected and returned to the operating system
// after settle (once, however many requests end together).
const (
	holdFrom     = 64 << 10
	giveBackFrom = 16 << 20
	settle       = 500 * time.Millisecond
)

var (
	held    atomic.Int64
	peak    atomic.Int64
	pending atomic.Bool
	// freeOSMemory is debug.FreeOSMemory; a test counts the calls.
	freeOSMemory = debug.FreeOSMemory
)

// Hold counts n bytes of body as held until ctx ends (a server request's
// context ends when its handler returns).
func Hold(ctx context.Context, n int) {
	if n < holdFrom {
		return
	}
	now := held.Add(int64(n))
	for p := peak.Load(); now > p && !peak.CompareAndSwap(p, now); p = peak.Load() {
	}
	context.AfterFunc(ctx, func() {
		if held.Add(-int64(n)) == 0 && peak.Load() >= giveBackFrom && pending.CompareAndSwap(false, true) {
			time.AfterFunc(settle, giveBack)
		}
	})
}

func giveBack() {
	pending.Store(false)
	if held.Load() != 0 {
		return // busy again; the last of those will call back
	}
	peak.Store(0)
	freeOSMemory()
}
