package mock

import (
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// Defaults a new mock starts with; the CLI documents the same values.
const (
	// DefaultUser and DefaultPassword are the credentials login accepts
	// unless WithCredentials says otherwise.
	DefaultUser     = "admin"
	DefaultPassword = "admin"
	// DefaultTokenLifetime is how long a session token is valid, as on a
	// cluster.
	DefaultTokenLifetime = 10 * time.Hour
	// DefaultMaxBodyBytes is the largest request body answered; larger
	// ones get 413.
	DefaultMaxBodyBytes = 1 << 20
)

// Option configures a mock.
type Option func(*config)

type config struct {
	spec          *openapi3.T
	seed          int64
	user          string
	password      string
	tokenLifetime time.Duration
	maxBody       int64
	tls           bool
	addr          string
	now           func() time.Time
	fault         Fault
}

func newConfig(opts []Option) config {
	c := config{
		seed:          1,
		user:          DefaultUser,
		password:      DefaultPassword,
		tokenLifetime: DefaultTokenLifetime,
		maxBody:       DefaultMaxBodyBytes,
		addr:          "127.0.0.1:0",
		now:           time.Now,
	}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// WithSpec serves doc instead of the embedded api.yaml. The mock does not
// change doc, so one document can back many mocks.
func WithSpec(doc *openapi3.T) Option { return func(c *config) { c.spec = doc } }

// WithSeed seeds the values generated for settings and status never written
// (an item never created is 404); the same seed and document give the same
// answers.
func WithSeed(seed int64) Option { return func(c *config) { c.seed = seed } }

// WithCredentials sets the user name and password that login accepts.
func WithCredentials(user, password string) Option {
	return func(c *config) { c.user, c.password = user, password }
}

// WithTokenLifetime sets how long a session token stays valid.
func WithTokenLifetime(d time.Duration) Option { return func(c *config) { c.tokenLifetime = d } }

// WithMaxBodyBytes sets the largest request body answered; larger bodies
// get 413.
func WithMaxBodyBytes(n int64) Option { return func(c *config) { c.maxBody = n } }

// WithTLS makes Start (and mocktest.NewServer) serve HTTPS with a freshly generated
// self-signed certificate, as a cluster does on port 8000.
func WithTLS() Option { return func(c *config) { c.tls = true } }

// WithAddr sets the address Start listens on; the default is an ephemeral
// port on 127.0.0.1.
func WithAddr(addr string) Option { return func(c *config) { c.addr = addr } }

// WithClock replaces the clock used for token expiry and timestamps, so
// tests can expire a token without sleeping.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithFault makes the server break the contract in one way (see Faults), so
// a contract suite can show it notices. Only Start (and mocktest.NewServer) apply it;
// Handler returns the faulty handler for other uses.
func WithFault(f Fault) Option { return func(c *config) { c.fault = f } }
