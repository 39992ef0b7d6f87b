package mock

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"sync"
	"time"
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
// an ephemeral loopback port by default) until Close or Shutdown.
func Start(opts ...Option) (*Server, error) {
	m, err := New(opts...)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", m.cfg.addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", m.cfg.addr, err)
	}
	s := &Server{Mock: m, ln: ln, done: make(chan struct{})}
	s.srv = &http.Server{Handler: m.Handler(), ReadHeaderTimeout: 10 * time.Second}
	scheme := "http"
	if m.cfg.tls {
		cert, certPEM, err := selfSigned(ln.Addr(), m.cfg.now())
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

// selfSigned makes a certificate for the listening address, localhost and
// loopback, as a cluster ships with one of its own.
func selfSigned(addr net.Addr, now time.Time) (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("generate tls key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("generate tls serial: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"qapi mock"}, CommonName: "localhost"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	if tcp, ok := addr.(*net.TCPAddr); ok && !tcp.IP.IsUnspecified() && !tcp.IP.IsLoopback() {
		tmpl.IPAddresses = append(tmpl.IPAddresses, tcp.IP)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("create tls certificate: %w", err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, certPEM, nil
}
