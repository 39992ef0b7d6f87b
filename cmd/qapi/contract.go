package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	qapi "github.com/qapitools/qapi"
	"github.com/qapitools/qapi/check"
	"github.com/qapitools/qapi/contract"
	"github.com/qapitools/qapi/convert"
	"github.com/qapitools/qapi/internal/fileio"
	"github.com/qapitools/qapi/report"
)

// errChecksFailed makes the process exit 1 after the reports are written.
var errChecksFailed = errors.New("contract checks failed")

type contractCmd struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	isTTY          bool
	spec           string
	checks         string
	seed           uint64
	strict         bool
	allowWrites    bool
	junit, json    string
	html           string
	list           bool
}

func (c *contractCmd) parse(args []string) error {
	var names []string
	for _, ch := range check.Active {
		names = append(names, ch.Name)
	}
	fs := newFlagSet("contract", "qapi contract [--spec FILE] [--checks NAME,...] [--seed N] [--strict] [--allow-writes] [--junit FILE] [--json FILE] [--html FILE]\n\n"+
		"Checks a Qumulo server against the contract. The target is the embedded mock, started in-process,\n"+
		"unless QUMULO_URL names a cluster: then QUMULO_USERNAME and QUMULO_PASSWORD (or QUMULO_TOKEN) log in,\n"+
		"QUMULO_CA_CERT names a CA file to trust, and QUMULO_INSECURE=1 skips TLS verification (loudly).\n"+
		"Against a cluster the run is read-only unless --allow-writes; with writes it saves what it will\n"+
		"change and puts it back at the end, also after a failure or Ctrl-C.\n"+
		"Exit codes: 0 all checks passed, 1 a check failed, 2 usage or setup error.\n\n"+
		"Checks: "+strings.Join(names, ", ")+" (--list describes them)", c.stdout)
	fs.StringVar(&c.spec, "spec", "", "OpenAPI 3.0 `FILE` to check against (default: the embedded api.yaml)")
	fs.StringVar(&c.checks, "checks", "", "comma-separated check `NAMES` to run (default: all)")
	fs.Uint64Var(&c.seed, "seed", 1, "seed for generated values; the same seed sends the same requests")
	fs.BoolVar(&c.strict, "strict", false, "also fail response bodies with properties the schema does not declare")
	fs.BoolVar(&c.allowWrites, "allow-writes", false, "send writes to a real cluster (always on for the embedded mock)")
	fs.StringVar(&c.junit, "junit", "", "write JUnit XML to `FILE`")
	fs.StringVar(&c.json, "json", "", "write the JSON report to `FILE` (- for standard output)")
	fs.StringVar(&c.html, "html", "", "write the HTML report to `FILE`")
	fs.BoolVar(&c.list, "list", false, "list the checks with what each asserts, and exit")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("contract: unexpected argument %q", pos[0])
	}
	return nil
}

func (c *contractCmd) Run(ctx context.Context) error {
	if c.list {
		for _, ch := range check.Active {
			fmt.Fprintf(c.stdout, "%-30s %s\n", ch.Name, ch.Description)
		}
		return nil
	}
	spec, err := c.loadSpec()
	if err != nil {
		return usageError{err}
	}
	target, err := targetFromEnv(c.getenv, spec, c.stderr)
	if err != nil {
		return usageError{err}
	}
	defer target.Close()
	var checks []string
	if c.checks != "" {
		for _, name := range strings.Split(c.checks, ",") {
			checks = append(checks, strings.TrimSpace(name))
		}
	}
	cfg := contract.Config{
		Spec: spec, BaseURL: target.URL, HTTPClient: target.Client,
		Username: target.Username, Password: target.Password, Token: target.Token,
		Checks: checks, Seed: c.seed, Strict: c.strict,
		ReadOnly: target.Real && !c.allowWrites,
		Restore:  target.Real && c.allowWrites,
	}
	if c.isTTY {
		cfg.Progress = func(done, total int, op string) {
			fmt.Fprintf(c.stderr, "\r\033[K[%d/%d] %s", done, total, op)
			if done == total {
				fmt.Fprint(c.stderr, "\r\033[K")
			}
		}
	}
	rep, err := contract.Run(ctx, cfg)
	if err != nil {
		return usageError{err}
	}
	if err := rep.WriteText(c.stdout); err != nil {
		return err
	}
	if err := writeReports(rep, c.stdout, c.junit, c.json, c.html); err != nil {
		return err
	}
	if rep.Failed() {
		return errChecksFailed
	}
	return nil
}

// writeReports writes the JUnit, JSON and HTML reports that were asked
// for: each to its file atomically, or to stdout for "-".
func writeReports(rep *report.Report, stdout io.Writer, junit, json, html string) error {
	for _, out := range []struct {
		path  string
		write func(io.Writer) error
	}{{junit, rep.WriteJUnit}, {json, rep.WriteJSON}, {html, rep.WriteHTML}} {
		switch out.path {
		case "":
			continue
		case "-":
			if err := out.write(stdout); err != nil {
				return err
			}
			continue
		}
		var b strings.Builder
		if err := out.write(&b); err != nil {
			return err
		}
		if err := fileio.WriteAtomic(out.path, []byte(b.String())); err != nil {
			return err
		}
	}
	return nil
}

func (c *contractCmd) loadSpec() (*openapi3.T, error) {
	if c.spec == "" {
		return qapi.Spec()
	}
	data, err := os.ReadFile(c.spec)
	if err != nil {
		return nil, fmt.Errorf("spec %s: %w", c.spec, fileio.PathError(err))
	}
	return convert.Load(data, c.spec)
}

// usageError marks setup problems, which exit 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }
