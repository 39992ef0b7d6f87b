package serve

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// PressedHeaderTimeout is how long a connection may take to send a
// request's headers once the cap is reached and a client waits: past it,
// it is closed to make room, one that never sent a byte first
// (ReadHeaderTimeout applies otherwise).
const PressedHeaderTimeout = 2 * time.Second

// pressedAfter is PressedHeaderTimeout; a test shortens it.
var pressedAfter = PressedHeaderTimeout

// Listen listens on addr with at most maxConns connections open at once.
// A client arriving when all are open takes the place of the connection
// idle the longest between two requests, as nginx reuses its keep-alive
// connections and Envoy's overload manager drops idle ones first; with none
// idle, it takes the place of one that has not sent a request's headers
// within PressedHeaderTimeout, or waits for a connection to close. Connections
// are known to be idle only on a server built by NewServer.
func Listen(addr string, maxConns int) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	return newLimitListener(ln, maxConns), nil
}

func newLimitListener(ln net.Listener, maxConns int) *limitListener {
	return &limitListener{Listener: ln, max: maxConns, conns: map[*conn]struct{}{}, done: make(chan struct{})}
}

// limitListener accepts a connection before it has a place for it, so that
// it reclaims idle ones only while a client is actually waiting; the
// clients behind that one wait in the kernel's backlog.
type limitListener struct {
	net.Listener
	max       int
	done      chan struct{}
	closeOnce sync.Once

	mu    sync.Mutex
	conns map[*conn]struct{}
	// changed, when a client waits for a place, is closed once a
	// connection closes or turns idle.
	changed chan struct{}
}

// conn is an open connection counted against the cap.
type conn struct {
	net.Conn
	l *limitListener
	// spoke says a byte arrived since the connection opened or last
	// turned idle: it is about to be active, not one to reclaim.
	spoke   atomic.Bool
	release sync.Once
	// state and since (when it took that state) are guarded by l.mu.
	state http.ConnState
	since time.Time
}

func (c *conn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 && !c.spoke.Load() {
		c.spoke.Store(true)
	}
	return n, err
}

func (c *conn) Close() error {
	err := c.Conn.Close()
	c.release.Do(func() { c.l.remove(c) })
	return err
}

func (l *limitListener) Accept() (net.Conn, error) {
	nc, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	c := &conn{Conn: nc, l: l}
	if err := l.admit(c); err != nil {
		nc.Close()
		return nil, err
	}
	return c, nil
}

func (l *limitListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// admit finds c a place, reclaiming one if all are taken.
func (l *limitListener) admit(c *conn) error {
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		l.mu.Lock()
		if len(l.conns) < l.max {
			c.state, c.since = http.StateNew, time.Now()
			l.conns[c] = struct{}{}
			l.mu.Unlock()
			return nil
		}
		victim, wait := l.victim(time.Now())
		if victim == nil && l.changed == nil {
			l.changed = make(chan struct{})
		}
		changed := l.changed
		l.mu.Unlock()
		if victim != nil {
			victim.Close()
			continue
		}
		var expired <-chan time.Time
		if wait > 0 {
			if timer == nil {
				timer = time.NewTimer(wait)
			} else {
				timer.Reset(wait)
			}
			expired = timer.C
		}
		select {
		case <-changed:
		case <-expired:
		case <-l.done:
			return fmt.Errorf("accept on %s: %w", l.Addr(), net.ErrClosed)
		}
	}
}

// victim is the connection to close for a waiting client: the one idle the
// longest; else, once it has waited pressedAfter, the oldest that never
// spoke, or with none such the oldest that has not finished its request's
// headers (a TLS handshake and nothing since, a dribble); wait is when one
// will be due, 0 for never. l.mu is held.
func (l *limitListener) victim(now time.Time) (victim *conn, wait time.Duration) {
	var idle, silent, slow *conn
	oldest := func(have, c *conn) *conn {
		if have == nil || c.since.Before(have.since) {
			return c
		}
		return have
	}
	for c := range l.conns {
		spoke := c.spoke.Load()
		switch {
		case c.state == http.StateIdle && !spoke:
			idle = oldest(idle, c)
		case c.state == http.StateNew && !spoke:
			silent = oldest(silent, c)
		case c.state == http.StateNew || c.state == http.StateIdle:
			slow = oldest(slow, c)
		}
	}
	if idle != nil {
		return idle, 0
	}
	// A silent one goes before a slow one, even one due later: a client
	// that has sent part of a request is more likely to finish it.
	due := silent
	if due == nil {
		due = slow
	}
	if due == nil {
		return nil, 0
	}
	if wait = due.since.Add(pressedAfter).Sub(now); wait <= 0 {
		return due, 0
	}
	return nil, wait
}

// remove gives c's place back.
func (l *limitListener) remove(c *conn) {
	l.mu.Lock()
	delete(l.conns, c)
	l.wake()
	l.mu.Unlock()
}

// setState records what the server does with c.
func (l *limitListener) setState(c *conn, s http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, open := l.conns[c]; !open {
		return
	}
	c.state, c.since = s, time.Now()
	if s == http.StateIdle {
		c.spoke.Store(false)
		l.wake()
	}
}

// wake tells a waiting client that a place may have come free. l.mu is
// held.
func (l *limitListener) wake() {
	if l.changed != nil {
		close(l.changed)
		l.changed = nil
	}
}

// trackState is the http.Server's ConnState hook: it tells the listener
// which connections are idle.
func trackState(nc net.Conn, s http.ConnState) {
	if tc, ok := nc.(*tls.Conn); ok {
		nc = tc.NetConn()
	}
	if c, ok := nc.(*conn); ok {
		c.l.setState(c, s)
	}
}
