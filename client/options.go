package client

import (
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"
)

// An Option configures a Client; pass options to New.
type Option func(*config) error

// config collects the options before New builds the client from them.
type config struct {
	user     string
	password secret
	hasCreds bool
	token    secret

	roots      *x509.CertPool
	caSources  []string // where roots came from, for error messages
	insecure   bool
	httpClient *http.Client

	timeout   time.Duration
	maxBody   int64
	retry     RetryPolicy
	logger    *slog.Logger
	userAgent string
}

// WithCredentials makes the client log in as user on first use (POST
// /v1/session/login) and again whenever the cluster refuses the session
// token, which expires after about ten hours. The password is kept in memory
// for those logins and never appears in logs or errors.
func WithCredentials(user, password string) Option {
	return func(c *config) error {
		if user == "" {
			return errors.New("WithCredentials: empty user name")
		}
		c.user, c.password, c.hasCreds = user, secret(password), true
		return nil
	}
}

// WithToken makes the client send token as its bearer token, typically a
// long-lived access token (access-v1:…). Without WithCredentials a refused
// token is an error (IsUnauthorized); with both, the client starts with
// token and logs in when the cluster refuses it.
func WithToken(token string) Option {
	return func(c *config) error {
		if token == "" {
			return errors.New("WithToken: empty token")
		}
		c.token = secret(token)
		return nil
	}
}

// WithCABundle makes the client trust the certificates in pem (one or more
// PEM "CERTIFICATE" blocks), such as the cluster's self-signed certificate
// or the CA that signed it. Only the given certificates are trusted, not the
// system roots. It may be given more than once, and with WithCAFile.
func WithCABundle(pem []byte) Option {
	return func(c *config) error {
		return c.addCAs(pem, "WithCABundle")
	}
}

// WithCAFile is WithCABundle with the PEM read from the file at path.
func WithCAFile(path string) Option {
	return func(c *config) error {
		pem, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("WithCAFile: %w", err)
		}
		return c.addCAs(pem, fmt.Sprintf("WithCAFile(%q)", path))
	}
}

func (c *config) addCAs(pem []byte, source string) error {
	if c.roots == nil {
		c.roots = x509.NewCertPool()
	}
	if !c.roots.AppendCertsFromPEM(pem) {
		return fmt.Errorf("%s: no PEM CERTIFICATE block found", source)
	}
	c.caSources = append(c.caSources, source)
	return nil
}

// WithInsecureSkipVerify turns off verification of the cluster's TLS
// certificate for this client only, so anyone on the network path can read
// and change the traffic, password and token included. It exists for
// throwaway test clusters; prefer WithCAFile. The client logs a warning once,
// when it is created. It cannot be combined with WithCABundle or WithCAFile.
func WithInsecureSkipVerify() Option {
	return func(c *config) error {
		c.insecure = true
		return nil
	}
}

// WithHTTPClient makes the client send each attempt with hc instead of an
// HTTP client of its own; authentication, retries and logging still wrap it.
// hc's transport then decides TLS, so WithHTTPClient cannot be combined with
// WithCABundle, WithCAFile or WithInsecureSkipVerify. Its Timeout applies to
// each attempt; WithTimeout applies to the whole call.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return errors.New("WithHTTPClient: nil *http.Client")
		}
		c.httpClient = hc
		return nil
	}
}

// WithTimeout bounds each call, from the first attempt through retries,
// re-login and reading the answer's body. The default is 60 seconds; 0 means
// no bound other than the context's.
func WithTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("WithTimeout: negative duration %v", d)
		}
		c.timeout = d
		return nil
	}
}

// WithMaxResponseBytes bounds the body of every answer, for the helpers and
// every request sent with Do: reading past n bytes fails with ErrResponseTooLarge, so
// a cluster (or whatever answers in its place) cannot make the client hold
// gigabytes. The default is DefaultMaxResponseBytes; 0 means no bound, for
// callers that stream large file contents and bound them themselves.
func WithMaxResponseBytes(n int64) Option {
	return func(c *config) error {
		if n < 0 {
			return fmt.Errorf("WithMaxResponseBytes: negative size %d", n)
		}
		c.maxBody = n
		return nil
	}
}

// DefaultMaxResponseBytes bounds an answer's body unless
// WithMaxResponseBytes says otherwise.
const DefaultMaxResponseBytes = 16 << 20

// WithRetry replaces DefaultRetryPolicy; see RetryPolicy for what is retried.
func WithRetry(p RetryPolicy) Option {
	return func(c *config) error {
		c.retry = p.withDefaults()
		return nil
	}
}

// WithLogger sends the client's log lines to l: at Debug, one line per
// attempt (method, path, status, duration, attempt) and one per retry and
// login; at Warn, the WithInsecureSkipVerify warning. Every line passes
// through the client's redaction, so passwords, private keys and tokens never
// reach l. The default is slog.Default().
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("WithLogger: nil *slog.Logger")
		}
		c.logger = l
		return nil
	}
}

// WithUserAgent sets the User-Agent header of every request; the default is
// DefaultUserAgent.
func WithUserAgent(ua string) Option {
	return func(c *config) error {
		c.userAgent = ua
		return nil
	}
}

// DefaultUserAgent is the User-Agent a client sends unless WithUserAgent says otherwise.
const DefaultUserAgent = "qapi-go-client (+https://github.com/qapitools/qapi)"

// DefaultTimeout bounds each call unless WithTimeout says otherwise.
const DefaultTimeout = 60 * time.Second
