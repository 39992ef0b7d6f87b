package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/qapitools/qapi/convert"
	"github.com/qapitools/qapi/internal/apidiff"
	"github.com/qapitools/qapi/internal/fileio"
)

// errChangesFound makes the process exit 1 after the report is written.
var errChangesFound = errors.New("changes found that --fail-on names")

type diffCmd struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	old, new       string
	format         string
	failOn         string
	raw            bool
	overlays       listFlag
}

const diffSynopsis = "qapi diff OLD NEW [--format text|json|markdown] [--fail-on breaking|any] [--overlay FILE|DIR]... [--raw]"

func (c *diffCmd) parse(args []string) error {
	fs := newFlagSet("diff", diffSynopsis+"\n\n"+
		"Reports what changed from OLD to NEW, grouped by the client's areas (c.SMB, c.Files, ...): operations,\n"+
		"parameters, request and response properties, enum values and status codes, each classed breaking or\n"+
		"non-breaking for a client of OLD, with the Go name (method, type or field) it touches.\n\n"+
		"Each side is a folder of doc pages (converted as 'qapi convert' does; overlays only with --overlay),\n"+
		"an OpenAPI file (YAML or JSON), or a cluster URL (https://cluster:8000, port 8000 when none is named):\n"+
		"its /openapi.json is fetched with QUMULO_TOKEN, or QUMULO_USERNAME and QUMULO_PASSWORD to log in\n"+
		"(none: fetched without credentials); QUMULO_CA_CERT names a CA file to trust, QUMULO_INSECURE=1\n"+
		"skips TLS verification (loudly); redirects to another host are refused; at most 64 MiB is read.\n\n"+
		"Both sides go through the same cluster rules first, so that only API change remains: integer is\n"+
		"number, no nullable marks, formats, descriptions, examples or tags; security, required and\n"+
		"read-only/write-only marks only when both sides state them; paging as {next}; operations named by\n"+
		"the converter's rule, so names match gen and the client. --raw compares the documents as they are.\n\n"+
		"Exit codes: 0 the comparison ran, whatever it found; 1 with --fail-on, when such a change exists;\n"+
		"2 usage or setup error (the message names the side, OLD or NEW, and its path or URL).", c.stdout)
	fs.StringVar(&c.format, "format", "text", "report `FORMAT`: text, json or markdown")
	fs.StringVar(&c.failOn, "fail-on", "", "exit 1 when a change of this `CLASS` exists: breaking (a breaking change or a removed operation) or any")
	fs.Var(&c.overlays, "overlay", "OpenAPI Overlay 1.0 `FILE` or folder applied to a side that is a folder of doc pages (repeatable)")
	fs.BoolVar(&c.raw, "raw", false, "compare without the cluster rules: what oasdiff alone reports")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return fmt.Errorf("diff: give two sides, OLD and NEW (usage: %s)", diffSynopsis)
	}
	c.old, c.new = pos[0], pos[1]
	switch c.format {
	case "text", "json", "markdown":
	default:
		return fmt.Errorf("diff: --format %q: want text, json or markdown", c.format)
	}
	switch c.failOn {
	case "", "breaking", "any":
	default:
		return fmt.Errorf("diff: --fail-on %q: want breaking or any", c.failOn)
	}
	return nil
}

func (c *diffCmd) Run(ctx context.Context) error {
	var sides [2]apidiff.Side
	for i, arg := range []string{c.old, c.new} {
		label := [2]string{"OLD", "NEW"}[i]
		name := shownSide(arg)
		doc, err := c.load(ctx, arg, name)
		if err != nil {
			return usageError{fmt.Errorf("diff: %s side %s: %w", label, name, err)}
		}
		sides[i] = apidiff.Side{Name: name, Doc: doc}
	}
	rep, err := interruptible(ctx, func() (*apidiff.Report, error) {
		return apidiff.Compare(sides[0], sides[1], apidiff.Options{Raw: c.raw})
	})
	if err != nil {
		return err
	}
	switch c.format {
	case "json":
		err = rep.WriteJSON(c.stdout)
	case "markdown":
		err = rep.WriteMarkdown(c.stdout)
	default:
		err = rep.WriteText(c.stdout)
	}
	if err != nil {
		return err
	}
	if (c.failOn == "any" && len(rep.Changes)+len(rep.Added)+len(rep.Removed) > 0) || (c.failOn == "breaking" && (rep.Breaking() > 0 || len(rep.Removed) > 0)) {
		return errChangesFound
	}
	return nil
}

// isURL tells a cluster side from a path.
func isURL(arg string) bool {
	return strings.HasPrefix(arg, "http://") || strings.HasPrefix(arg, "https://")
}

// shownSide is how a side is named in messages and reports: a URL without
// the password it may carry.
func shownSide(arg string) string {
	if !isURL(arg) {
		return arg
	}
	u, err := url.Parse(arg)
	if err != nil {
		return "the URL given"
	}
	return u.Redacted()
}

// load reads one side: a cluster URL, a folder of doc pages or a spec file.
func (c *diffCmd) load(ctx context.Context, arg, name string) (*openapi3.T, error) {
	if isURL(arg) {
		t, err := clusterFromEnv(c.getenv, name, c.stderr)
		if err != nil {
			return nil, err
		}
		return apidiff.Fetch(ctx, apidiff.Cluster{URL: arg, Client: t.Client, Token: t.Token, Username: t.Username, Password: t.Password})
	}
	st, err := os.Stat(arg)
	if err != nil {
		return nil, fileio.PathError(err)
	}
	if st.IsDir() {
		built, err := interruptible(ctx, func() (*convert.Built, error) { return build([]string{arg}, c.overlays, false, io.Discard) })
		if err != nil {
			return nil, err
		}
		return built.Doc, nil
	}
	data, err := os.ReadFile(arg)
	if err != nil {
		return nil, fileio.PathError(err)
	}
	// Not validated: a document that a strict validator refuses can
	// still be compared.
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("not an OpenAPI document: %w", err)
	}
	return doc, nil
}
