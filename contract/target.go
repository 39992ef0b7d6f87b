package contract

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/qapitools/qapi/mock"
)

// Target is the server a run checks: the embedded mock by default, or a real
// cluster named by QUMULO_URL.
type Target struct {
	URL    string
	Client *http.Client
	// Real is true for a cluster: the run is read-only unless writes are
	// allowed, and then restores what it changed.
	Real                      bool
	Username, Password, Token string
	mock                      *mock.Server
}

// Close stops the embedded mock, if one was started.
func (t *Target) Close() error {
	if t.mock != nil {
		return t.mock.Close()
	}
	return nil
}

// Environment variables that point the suite at a real cluster.
const (
	EnvURL      = "QUMULO_URL"
	EnvUsername = "QUMULO_USERNAME"
	EnvPassword = "QUMULO_PASSWORD"
	EnvToken    = "QUMULO_TOKEN"
	EnvCACert   = "QUMULO_CA_CERT"
	EnvInsecure = "QUMULO_INSECURE"
)

// TargetFromEnv starts the embedded mock serving spec, or, when QUMULO_URL
// is set, describes that cluster with its credentials and TLS trust.
// Warnings (such as skipped TLS verification) go to warn.
func TargetFromEnv(getenv func(string) string, spec *openapi3.T, warn io.Writer) (*Target, error) {
	url := getenv(EnvURL)
	if url == "" {
		srv, err := mock.Start(mock.WithSpec(spec))
		if err != nil {
			return nil, fmt.Errorf("start the embedded mock: %w", err)
		}
		return &Target{URL: srv.URL, Client: srv.Client(), Username: mock.DefaultUser, Password: mock.DefaultPassword, mock: srv}, nil
	}
	t := &Target{URL: url, Real: true, Username: getenv(EnvUsername), Password: getenv(EnvPassword), Token: getenv(EnvToken)}
	if t.Token == "" && (t.Username == "" || t.Password == "") {
		return nil, fmt.Errorf("%s is set: also set %s, or %s and %s", EnvURL, EnvToken, EnvUsername, EnvPassword)
	}
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12}
	if path := getenv(EnvCACert); path != "" {
		pem, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", EnvCACert, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: %s holds no PEM certificate", EnvCACert, path)
		}
		tlsConfig.RootCAs = pool
	}
	if getenv(EnvInsecure) == "1" {
		fmt.Fprintf(warn, "WARNING: %s=1: TLS certificates of %s are NOT verified; anyone on the path can read the credentials\n", EnvInsecure, url)
		tlsConfig.InsecureSkipVerify = true
	}
	t.Client = &http.Client{
		Timeout:   60 * time.Second,
		Transport: &http.Transport{TLSClientConfig: tlsConfig, Proxy: http.ProxyFromEnvironment, MaxIdleConnsPerHost: 4},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return errors.New("the suite does not follow redirects")
		},
	}
	return t, nil
}
