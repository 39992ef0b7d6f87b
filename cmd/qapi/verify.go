package main

import (
	"context"
	"fmt"
	"io"

	"github.com/qapitools/qapi/verify"
)

const verifySynopsis = `qapi verify FILE.har [--spec FILE] [--strict] [--junit FILE] [--json FILE] [--html FILE]

Checks a recording offline (one written by qapi proxy --record, or any HAR 1.2 file a browser
or tool exported) with the checks the proxy runs on live traffic: request_conformance,
not_a_server_error, status_code_conformance, content_type_conformance,
response_headers_conformance, response_schema_conformance, ignored_auth (a request without a
token that succeeded) and write_only_never_returned. Reports are the same as qapi contract's.
Exchanges whose path or method the spec does not have are counted and listed, not failed.
Exit codes: 0 no violation, 1 a check failed, 2 usage error or an unreadable recording.`

type verifyCmd struct {
	stdout, stderr io.Writer
	har            string
	spec           string
	strict         bool
	junit, json    string
	html           string
}

func (c *verifyCmd) parse(args []string) error {
	fs := newFlagSet("verify", verifySynopsis, c.stdout)
	fs.StringVar(&c.spec, "spec", "", "OpenAPI 3.0 `FILE` to check against (default: the embedded api.yaml)")
	fs.BoolVar(&c.strict, "strict", false, "also fail response bodies with properties the schema does not declare")
	fs.StringVar(&c.junit, "junit", "", "write JUnit XML to `FILE`")
	fs.StringVar(&c.json, "json", "", "write the JSON report to `FILE` (- for standard output)")
	fs.StringVar(&c.html, "html", "", "write the HTML report to `FILE`")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	switch len(pos) {
	case 0:
		return fmt.Errorf("verify: name the recording: qapi verify FILE.har")
	case 1:
		c.har = pos[0]
	default:
		return fmt.Errorf("verify: unexpected argument %q (one recording at a time)", pos[1])
	}
	return nil
}

func (c *verifyCmd) Run(context.Context) error {
	spec, err := (&contractCmd{spec: c.spec}).loadSpec()
	if err != nil {
		return usageError{err}
	}
	v, err := verify.File(spec, c.har, c.strict)
	if err != nil {
		return usageError{err}
	}
	rep := v.Report
	if err := rep.WriteText(c.stdout); err != nil {
		return err
	}
	if err := v.WriteOutside(c.stdout); err != nil {
		return err
	}
	if err := writeReports(rep, c.stdout, c.junit, c.json, c.html); err != nil {
		return err
	}
	if rep.Failed() {
		return errViolations
	}
	return nil
}
