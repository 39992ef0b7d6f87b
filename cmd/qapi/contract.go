package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

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
	allowDisrupt   bool
	listUnsafe     bool
	journal        string
	restore        string
	timeout        time.Duration
	requestTimeout time.Duration
	maxFailures    int
	junit, json    string
	html           string
	list           bool
}

func (c *contractCmd) parse(args []string) error {
	var names []string
	for _, ch := range check.Active() {
		names = append(names, ch.Name)
	}
	fs := newFlagSet("contract", "qapi contract [--spec FILE] [--checks NAME,...] [--seed N] [--strict] [--allow-writes [--allow-disruptive]] [--junit FILE] [--json FILE] [--html FILE]\n"+
		"       qapi contract --restore JOURNAL\n       qapi contract --list | --list-unsafe\n\n"+
		"Checks a Qumulo server against the contract. The target is the embedded mock, started in-process,\n"+
		"where every operation runs, unless QUMULO_URL names a cluster: then QUMULO_USERNAME and\n"+
		"QUMULO_PASSWORD (or QUMULO_TOKEN) log in, QUMULO_CA_CERT names a CA file to trust, and\n"+
		"QUMULO_INSECURE=1 skips TLS verification (loudly).\n\n"+
		"Against a cluster every operation has a safety class (--list-unsafe shows them):\n"+
		"  default             GET and HEAD only, besides the login: nothing changes\n"+
		"  --allow-writes      also reversible writes: settings it reads first and writes back, items it\n"+
		"                      creates and deletes; each change is journalled before it is sent and\n"+
		"                      undone at the end, also after a failure, Ctrl-C or SIGTERM\n"+
		"  --allow-disruptive  also irreversible and disruptive operations (power, upgrade, nodes, network,\n"+
		"                      TLS, directory services, passwords, locks); what cannot be put back is listed\n"+
		"After a kill -9, --restore JOURNAL puts back what the journal file still holds.\n"+
		"Exit codes: 0 all checks passed and everything was put back, 1 a check failed or something\n"+
		"was not put back, 2 usage or setup error.\n\n"+
		"Checks: "+strings.Join(names, ", ")+" (--list describes them)", c.stdout)
	fs.StringVar(&c.spec, "spec", "", "OpenAPI 3.0 `FILE` to check against (default: the embedded api.yaml)")
	fs.StringVar(&c.checks, "checks", "", "comma-separated check `NAMES` to run (default: all)")
	fs.Uint64Var(&c.seed, "seed", 1, "seed for generated values; the same seed sends the same requests")
	fs.BoolVar(&c.strict, "strict", false, "also fail response bodies with properties the schema does not declare")
	fs.BoolVar(&c.allowWrites, "allow-writes", false, "send reversible writes to a cluster, journalled and put back (the embedded mock runs everything)")
	fs.BoolVar(&c.allowDisrupt, "allow-disruptive", false, "also send irreversible and disruptive operations to a cluster (implies --allow-writes)")
	fs.BoolVar(&c.listUnsafe, "list-unsafe", false, "list the operations a cluster run does not send without --allow-disruptive, with the reason, and exit")
	fs.StringVar(&c.journal, "journal", "qapi-contract.journal", "with writes, journal each change in `FILE` before it is sent (removed once all is put back)")
	fs.StringVar(&c.restore, "restore", "", "put back what the journal `FILE` of a killed run holds, and exit")
	fs.DurationVar(&c.timeout, "timeout", time.Hour, "stop the run after this `DURATION` (0: no limit); putting back has its own 5 minutes")
	fs.DurationVar(&c.requestTimeout, "request-timeout", contract.DefaultRequestTimeout, "give up on a request after this `DURATION`")
	fs.IntVar(&c.maxFailures, "max-failures", contract.DefaultMaxTransportFailures, "stop after `N` requests in a row get no answer")
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
	if c.maxFailures < 1 || c.requestTimeout <= 0 || c.timeout < 0 {
		return errors.New("contract: --max-failures and --request-timeout must be positive, --timeout not negative")
	}
	c.allowWrites = c.allowWrites || c.allowDisrupt
	return nil
}

func (c *contractCmd) Run(ctx context.Context) error {
	if c.list {
		for _, ch := range check.Active() {
			fmt.Fprintf(c.stdout, "%-30s %s\n", ch.Name, ch.Description)
		}
		return nil
	}
	spec, err := c.loadSpec()
	if err != nil {
		return usageError{err}
	}
	if c.listUnsafe {
		return c.writeUnsafe(spec)
	}
	if c.restore != "" && c.getenv(envURL) == "" {
		return usageError{fmt.Errorf("contract: --restore %s: set %s to the cluster the journal is for", c.restore, envURL)}
	}
	target, err := targetFromEnv(c.getenv, spec, c.stderr)
	if err != nil {
		return usageError{err}
	}
	defer target.Close()
	if c.restore != "" {
		return c.runRestore(ctx, spec, target)
	}
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
		Access:  contract.Twin,
		Timeout: c.timeout, RequestTimeout: c.requestTimeout, MaxTransportFailures: c.maxFailures,
	}
	if target.Real {
		cfg.Access = contract.ReadOnly
		switch {
		case c.allowDisrupt:
			cfg.Access = contract.AllowDisruptive
		case c.allowWrites:
			cfg.Access = contract.AllowWrites
		}
		if c.allowWrites {
			cfg.Journal = c.journal
			fmt.Fprintf(c.stderr, "qapi contract: journalling each change in %s before it is sent; after a kill -9, qapi contract --restore %s puts it back\n", c.journal, c.journal)
		}
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

// writeUnsafe lists the operations that a run against a cluster sends
// only with --allow-disruptive, and counts every class.
func (c *contractCmd) writeUnsafe(spec *openapi3.T) error {
	count := map[contract.Safety]int{}
	var b strings.Builder
	for _, op := range contract.Classify(spec) {
		count[op.Safety]++
		if op.Safety == contract.Irreversible || op.Safety == contract.Disruptive {
			fmt.Fprintf(&b, "%-12s %-6s %-60s %s\n", op.Safety, op.Method, op.Path, op.Reason)
		}
	}
	fmt.Fprintf(&b, "\n%d read, %d reversible (--allow-writes), %d irreversible and %d disruptive (--allow-disruptive)\n",
		count[contract.Read], count[contract.Reversible], count[contract.Irreversible], count[contract.Disruptive])
	_, err := io.WriteString(c.stdout, b.String())
	return err
}

// runRestore puts back what a killed run's journal holds.
func (c *contractCmd) runRestore(ctx context.Context, spec *openapi3.T, target *target) error {
	rep, err := contract.Restore(ctx, contract.Config{Spec: spec, BaseURL: target.URL, HTTPClient: target.Client,
		Username: target.Username, Password: target.Password, Token: target.Token,
		RequestTimeout: c.requestTimeout, MaxTransportFailures: c.maxFailures}, c.restore)
	if err != nil {
		return usageError{err}
	}
	for _, p := range rep.Restored {
		fmt.Fprintf(c.stdout, "restored %s\n", p)
	}
	for _, e := range rep.RestoreErrors {
		fmt.Fprintf(c.stdout, "NOT RESTORED %s\n", e)
	}
	if rep.Journal != "" {
		fmt.Fprintf(c.stdout, "journal kept in %s: run qapi contract --restore %s again once the cluster answers\n", rep.Journal, rep.Journal)
		return errChecksFailed
	}
	fmt.Fprintf(c.stdout, "everything in %s is put back (%d changes); the journal is removed\n", c.restore, len(rep.Restored))
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
