package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/qapitools/qapi/convert"
	"github.com/qapitools/qapi/internal/fileio"
	"github.com/qapitools/qapi/mock"
)

// shutdownGrace is how long requests in flight may run after a signal.
const shutdownGrace = 10 * time.Second

type mockCmd struct {
	stdout, stderr io.Writer
	spec           string
	addr           string
	seed           int64
	user, password string
	lifetime       time.Duration
	maxBody        int64
	tls            bool
	certOut        string
	fault          string

	mu  sync.Mutex
	srv *mock.Server
}

const mockSynopsis = `qapi mock [--spec FILE] [--addr HOST:PORT] [--tls [--cert-out FILE]] [--seed N] [--user NAME --password PW] [--fault NAME]

Serves a twin of a Qumulo cluster for an OpenAPI 3.0 document: the embedded api.yaml by
default, or --spec FILE (YAML or JSON, e.g. a whole corpus revision converted). It starts
as a fresh cluster (root directory, NFS export /, built-in groups, admin and guest) and
keeps what clients create: items by id or natural key, a file system, jobs that finish.
Log in with POST /v1/session/login {"username":"admin","password":"admin"} and send
'Authorization: Bearer <token>'. Every request is validated against the document;
errors answer in Qumulo's shape. Stops on SIGINT or SIGTERM after requests in flight end.
--fault makes it break the contract in one way on purpose, to show that qapi contract
notices; qapi mock --fault list names the faults and the check that catches each.`

func (c *mockCmd) parse(args []string) error {
	fs := newFlagSet("mock", mockSynopsis, c.stdout)
	fs.StringVar(&c.spec, "spec", "", "OpenAPI 3.0 `FILE` to serve instead of the embedded api.yaml")
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8000", "`HOST:PORT` to listen on (port 0 picks a free one)")
	fs.Int64Var(&c.seed, "seed", 1, "seed of the values generated for settings and status never written")
	fs.StringVar(&c.user, "user", mock.DefaultUser, "user `NAME` that login accepts")
	fs.StringVar(&c.password, "password", mock.DefaultPassword, "`PASSWORD` that login accepts")
	fs.DurationVar(&c.lifetime, "token-lifetime", mock.DefaultTokenLifetime, "how long a session token is valid")
	fs.Int64Var(&c.maxBody, "max-body", mock.DefaultMaxBodyBytes, "largest request body in `BYTES`; larger ones answer 413")
	fs.BoolVar(&c.tls, "tls", false, "serve HTTPS with a generated self-signed certificate, like a cluster")
	fs.StringVar(&c.certOut, "cert-out", "", "with --tls, write the certificate (PEM) to `FILE` so clients can trust it; default: a file in the temp folder")
	fs.StringVar(&c.fault, "fault", "", "break the contract on purpose in one way `NAME` (list: --fault list)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("mock: unexpected argument %q", pos[0])
	}
	if c.fault == "list" {
		for _, f := range mock.Faults() {
			fmt.Fprintf(c.stdout, "%-28s caught by %s\n", f, strings.Join(mock.FaultChecks(f), ", "))
		}
		return errHelp
	}
	if c.fault != "" {
		if _, err := mock.ParseFault(c.fault); err != nil {
			return fmt.Errorf("mock: %w", err)
		}
	}
	if c.certOut != "" && !c.tls {
		return errors.New("mock: --cert-out needs --tls")
	}
	if c.lifetime <= 0 {
		return errors.New("mock: --token-lifetime must be positive")
	}
	if c.maxBody <= 0 {
		return errors.New("mock: --max-body must be positive")
	}
	return nil
}

// Run serves until ctx ends, then lets requests in flight finish.
func (c *mockCmd) Run(ctx context.Context) error {
	opts := []mock.Option{
		mock.WithAddr(c.addr), mock.WithSeed(c.seed), mock.WithCredentials(c.user, c.password),
		mock.WithTokenLifetime(c.lifetime), mock.WithMaxBodyBytes(c.maxBody),
	}
	what := "the embedded api.yaml"
	if c.spec != "" {
		data, err := os.ReadFile(c.spec)
		if err != nil {
			return usageError{fmt.Errorf("mock: read spec: %w", err)}
		}
		doc, err := convert.Load(data, c.spec)
		if err != nil {
			return usageError{fmt.Errorf("mock: %w", err)}
		}
		opts = append(opts, mock.WithSpec(doc))
		what = c.spec
	}
	if c.tls {
		opts = append(opts, mock.WithTLS())
	}
	if c.fault != "" {
		opts = append(opts, mock.WithFault(mock.Fault(c.fault)))
		fmt.Fprintf(c.stderr, "qapi mock: FAULT %s: this server breaks the contract on purpose\n", c.fault)
	}
	srv, err := mock.Start(opts...)
	if err != nil {
		return fmt.Errorf("mock: %w", err)
	}
	c.mu.Lock()
	c.srv = srv
	c.mu.Unlock()
	ops := 0
	for _, item := range srv.Mock.Spec().Paths.Map() {
		ops += len(item.Operations())
	}
	if c.tls {
		out := c.certOut
		if out == "" {
			out = filepath.Join(os.TempDir(), "qapi-mock-cert.pem")
		}
		if err := fileio.WriteAtomic(out, srv.CertPEM); err != nil {
			return fmt.Errorf("mock: write certificate: %w", err)
		}
		fmt.Fprintf(c.stderr, "qapi mock: certificate in %s (curl --cacert %s)\n", out, out)
	}
	fmt.Fprintf(c.stderr, "qapi mock: serving %s (%d operations) on %s; user %q\n", what, ops, srv.URL, c.user)
	<-ctx.Done()
	fmt.Fprintln(c.stderr, "qapi mock: shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("mock: shut down: %w", err)
	}
	return nil
}

// Close stops the server if Run did not get to.
func (c *mockCmd) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.srv != nil {
		_ = c.srv.Close()
	}
}
