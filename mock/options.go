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
	heldJobs      bool
	maxFile       int64 // the bytes of data one file holds (filedata.go)
	maxData       int64 // the bytes of data all files hold
}

func newConfig(opts []Option) config {
	c := config{
		seed:          1,
		user:          DefaultUser,
		password:      DefaultPassword,
		tokenLifetime: DefaultTokenLifetime,
		maxBody:       DefaultMaxBodyBytes,
		maxFile:       DefaultMaxFileBytes,
		maxData:       DefaultMaxDataBytes,
		addr:          "127.0.0.1:0",
		now:           time.Now,
	}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// WithSpec serves doc instead of the embedded api.yaml. The mock does not
// change doc, so one document can back many mocks; nor may the caller once
// a mock serves it: mocks of one document share what they work out from it
// (its router and plans), built on the first New.
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

// WithTLS makes Start (and mocktest.New) serve HTTPS with a freshly generated
// self-signed certificate, as a cluster does on port 8000.
func WithTLS() Option { return func(c *config) { c.tls = true } }

// WithAddr sets the address Start listens on; the default is an ephemeral
// port on 127.0.0.1.
func WithAddr(addr string) Option { return func(c *config) { c.addr = addr } }

// WithClock replaces the clock of all the twin's time: token expiry and
// access-token expiration, the times it stamps (files, snapshots, keys,
// jobs) and when a job is due, so a test can expire a token or finish a job
// without sleeping. now must be safe for concurrent use. Only the TLS
// certificate is dated by the real clock, which clients check it against.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithFault makes the twin break the contract in one way (see Faults), so
// a contract suite can show it notices. Every way of serving the mock
// applies it: ServeHTTP, Start, httptest.NewServer(m), mocktest.
func WithFault(f Fault) Option { return func(c *config) { c.fault = f } }

// WithHeldJobs keeps every tree-delete job running until the test finishes
// it (FinishJob) or fails it (FailJob), instead of finishing once a client
// has seen it running or after a second on the twin's clock.
func WithHeldJobs() Option { return func(c *config) { c.heldJobs = true } }
