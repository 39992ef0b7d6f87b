package mock

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/qapitools/qapi/internal/serve"
	"github.com/qapitools/qapi/internal/tlscert"
)

// Deadlines of one request, its body included, and of its answer.
const (
	readTimeout  = 30 * time.Second
	writeTimeout = time.Minute
)

// Server is a mock listening on a socket. Start one with Start (or
// mocktest.NewServer in a test) and stop it with Close or Shutdown.
type Server struct {
	// Mock is the handler the server serves.
	Mock *Mock
	// URL is the base URL, such as https://127.0.0.1:8000.
	URL string
	// CertPEM is the PEM-encoded self-signed certificate when serving TLS.
	CertPEM []byte

	srv  *http.Server
	ln   net.Listener
	done chan struct{}
	err  error
	once sync.Once
}

// Start builds a mock and serves it on the configured address (WithAddr,
// an ephemeral loopback port by default) until Close or Shutdown, with at
// most serve.MaxConns connections open at once.
func Start(opts ...Option) (*Server, error) {
	m, err := New(opts...)
	if err != nil {
		return nil, err
	}
	ln, err := serve.Listen(m.cfg.addr, serve.MaxConns)
	if err != nil {
		return nil, err
	}
	s := &Server{Mock: m, ln: ln, done: make(chan struct{})}
	// Bodies are small (--max-body), so a whole request and its answer get
	// a deadline each: a stalled upload or a reader that never reads lets
	// go of its connection and its buffer.
	s.srv = serve.NewServer(m)
	s.srv.ReadTimeout, s.srv.WriteTimeout = readTimeout, writeTimeout
	scheme := "http"
	if m.cfg.tls {
		// Dated by the real clock, whatever WithClock says: clients check
		// it against theirs.
		cert, certPEM, err := selfSigned(ln.Addr(), time.Now())
		if err != nil {
			ln.Close()
			return nil, err
		}
		s.CertPEM = certPEM
		s.srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		s.ln = tls.NewListener(ln, s.srv.TLSConfig)
		scheme = "https"
	}
	s.URL = scheme + "://" + ln.Addr().String()
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(s.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.err = err
		}
	}()
	return s, nil
}

// Client is an HTTP client that trusts the server's certificate.
func (s *Server) Client() *http.Client {
	if s.CertPEM == nil {
		return &http.Client{Timeout: 30 * time.Second}
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(s.CertPEM)
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
}

// Shutdown stops accepting connections and waits for requests in flight to
// finish, or for ctx to end.
func (s *Server) Shutdown(ctx context.Context) error {
	var err error
	s.once.Do(func() {
		err = s.srv.Shutdown(ctx)
		<-s.done
		if err == nil {
			err = s.err
		}
	})
	return err
}

// Close shuts the server down, giving requests in flight five seconds.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.Shutdown(ctx)
}

// selfSigned makes the mock's certificate, as a cluster ships with one of
// its own.
func selfSigned(addr net.Addr, now time.Time) (tls.Certificate, []byte, error) {
	return tlscert.SelfSigned(addr, "qapi mock", now)
}
