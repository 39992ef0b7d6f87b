package main

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

// target is the server a contract run checks: the embedded mock by default,
// or a real cluster named by QUMULO_URL.
type target struct {
	URL    string
	Client *http.Client
	// Real is true for a cluster: the run is read-only unless writes are
	// allowed, and then restores what it changed.
	Real                      bool
	Username, Password, Token string
	mock                      *mock.Server
}

// Close stops the embedded mock, if one was started.
func (t *target) Close() error {
	if t.mock != nil {
		return t.mock.Close()
	}
	return nil
}

// Environment variables that point qapi at a real cluster.
const (
	envURL      = "QUMULO_URL"
	envUsername = "QUMULO_USERNAME"
	envPassword = "QUMULO_PASSWORD"
	envToken    = "QUMULO_TOKEN"
	envCACert   = "QUMULO_CA_CERT"
	envInsecure = "QUMULO_INSECURE"
)

// targetFromEnv starts the embedded mock serving spec, or, when QUMULO_URL
// is set, describes that cluster with its credentials and TLS trust.
// Warnings (such as skipped TLS verification) go to warn.
func targetFromEnv(getenv func(string) string, spec *openapi3.T, warn io.Writer) (*target, error) {
	url := getenv(envURL)
	if url == "" {
		srv, err := mock.Start(mock.WithSpec(spec))
		if err != nil {
			return nil, fmt.Errorf("start the embedded mock: %w", err)
		}
		return &target{URL: srv.URL, Client: srv.Client(), Username: mock.DefaultUser, Password: mock.DefaultPassword, mock: srv}, nil
	}
	if getenv(envToken) == "" && (getenv(envUsername) == "" || getenv(envPassword) == "") {
		return nil, fmt.Errorf("%s is set: also set %s, or %s and %s", envURL, envToken, envUsername, envPassword)
	}
	return clusterFromEnv(getenv, url, warn)
}

// clusterFromEnv describes the cluster at url with the credentials and TLS
// trust of the QUMULO_* settings; the credentials may be empty.
func clusterFromEnv(getenv func(string) string, url string, warn io.Writer) (*target, error) {
	t := &target{URL: url, Real: true, Username: getenv(envUsername), Password: getenv(envPassword), Token: getenv(envToken)}
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12}
	if path := getenv(envCACert); path != "" {
		pem, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", envCACert, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: %s holds no PEM certificate", envCACert, path)
		}
		tlsConfig.RootCAs = pool
	}
	if getenv(envInsecure) == "1" {
		fmt.Fprintf(warn, "WARNING: %s=1: TLS certificates of %s are NOT verified; anyone on the path can read the credentials\n", envInsecure, url)
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
