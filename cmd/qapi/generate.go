package main

import (
	"context"
	"errors"
	"fmt"
	"go/token"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"

	"github.com/qapitools/qapi/convert"
	"github.com/qapitools/qapi/internal/codegen"
	"github.com/qapitools/qapi/internal/fileio"
	"github.com/qapitools/qapi/internal/sdkgen"
)

type generateCmd struct {
	stdout, stderr io.Writer
	docs           listFlag
	out            string
	pkg            string
	overlays       listFlag
	strict         bool
	force          bool
}

func (c *generateCmd) parse(args []string) error {
	fs := newFlagSet("generate", "qapi generate --docs DIR... --out DIR --package NAME [--overlay FILE|DIR]... [--strict] [--force]\n\n"+
		"Converts every doc page (*.md) under the --docs folders into one OpenAPI 3.0.3 document, applies\n"+
		"the overlays in the order given (a folder means its *.yaml files in name order), and generates Go\n"+
		"code from it with oapi-codegen v2: models and a client, no server and no embedded spec (the\n"+
		"options of qapi's own gen/cfg.yaml, whose gen keeps only the client's request builders), and a\n"+
		"nil-safe GetX accessor for every pointer field of the types answers hold (v.GetRevisionID()).\n"+
		"It writes DIR/api.yaml, DIR/NAME.gen.go and DIR/accessors.gen.go, creating DIR if needed.\n"+
		"It replaces them when an earlier run wrote them (the Go files have the \"Code generated\"\n"+
		"line) and says so; files it did not write stay unless --force.\n"+
		"Every problem is printed with its file and line; when conversion or code generation fails,\n"+
		"no output file is touched. Ctrl-C stops it; a second Ctrl-C quits at once.\n"+
		"Folders may also follow the flags as arguments.", c.stdout)
	fs.Var(&c.docs, "docs", "`DIR` of doc pages to convert (repeatable; required)")
	fs.StringVar(&c.out, "out", "", "output `DIR` for api.yaml and NAME.gen.go (required)")
	fs.StringVar(&c.pkg, "package", "", "Go package `NAME` of the generated code (required)")
	fs.Var(&c.overlays, "overlay", "OpenAPI Overlay 1.0 `FILE` or folder to apply (repeatable)")
	fs.BoolVar(&c.strict, "strict", false, "treat warnings (placeholders, dropped keywords) as errors")
	fs.BoolVar(&c.force, "force", false, "replace DIR/api.yaml, DIR/NAME.gen.go and DIR/accessors.gen.go even when qapi generate did not write them")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	c.docs = append(c.docs, pos...)
	switch {
	case len(c.docs) == 0:
		return errors.New("generate: --docs DIR is required")
	case c.out == "":
		return errors.New("generate: --out DIR is required")
	case c.pkg == "":
		return errors.New("generate: --package NAME is required")
	case !token.IsIdentifier(c.pkg) || c.pkg == "_":
		return fmt.Errorf("generate: --package %q is not a Go package name", c.pkg)
	case c.pkg+".gen.go" == sdkgen.AccessorsFile:
		return fmt.Errorf("generate: --package %q would write its code to %s, where the accessors go; choose another name", c.pkg, sdkgen.AccessorsFile)
	}
	return nil
}

func (c *generateCmd) Run(ctx context.Context) error {
	built, err := interruptible(ctx, func() (*convert.Built, error) { return build(c.docs, c.overlays, c.strict, c.stderr) })
	if err != nil {
		return err
	}
	code, err := codegen.Generate(ctx, built.YAML, codegen.Config(c.pkg, convert.AddedInitialisms...))
	if err != nil {
		return err
	}
	accessors, err := sdkgen.Accessors(built.Doc, []byte(code), c.pkg+".gen.go")
	if err != nil {
		return fmt.Errorf("generate: accessors: %w", err)
	}
	apiPath := filepath.Join(c.out, "api.yaml")
	genPath := filepath.Join(c.out, c.pkg+".gen.go")
	accPath := filepath.Join(c.out, sdkgen.AccessorsFile)
	verb := "wrote"
	if replacing, err := earlierOutput(apiPath, genPath, accPath); err != nil && !c.force {
		return err
	} else if replacing || err != nil {
		verb = "replaced"
	}
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return err
	}
	// Every output exists in full before any is written, so a conversion
	// or generation error leaves the folder as it was; each write is atomic.
	if err := fileio.WriteAtomic(genPath, []byte(code)); err != nil {
		return err
	}
	if err := fileio.WriteAtomic(accPath, accessors); err != nil {
		return err
	}
	if err := fileio.WriteAtomic(apiPath, built.YAML); err != nil {
		return err
	}
	fmt.Fprintf(c.stderr, "%s %s, %s and %s: %d operations from %d pages, %d warnings\n", verb, apiPath, genPath, accPath, built.Operations, built.Pages, len(built.Warnings))
	return nil
}

// earlierOutput tells whether the outputs exist from an earlier run, which
// generate replaces. Files it did not write (a hand-written api.yaml, a
// NAME.gen.go or accessors.gen.go without the "Code generated" line) are an
// error: generate must not overwrite them without --force.
func earlierOutput(apiPath, genPath, accPath string) (bool, error) {
	if acc, err := os.ReadFile(accPath); err == nil && !generatedRe.Match(acc) {
		return true, fmt.Errorf("generate: %s exists and is not generated code (no \"Code generated ... DO NOT EDIT.\" line): not replaced; pass --force to replace it", accPath)
	}
	gen, genErr := os.ReadFile(genPath)
	_, apiErr := os.Stat(apiPath)
	switch {
	case errors.Is(genErr, fs.ErrNotExist) && errors.Is(apiErr, fs.ErrNotExist):
		return false, nil
	case genErr == nil && !generatedRe.Match(gen):
		return true, fmt.Errorf("generate: %s exists and is not generated code (no \"Code generated ... DO NOT EDIT.\" line): not replaced; pass --force to replace it", genPath)
	case genErr != nil && apiErr == nil:
		return true, fmt.Errorf("generate: %s exists but %s does not, so qapi generate did not write it: not replaced; pass --force to replace it", apiPath, genPath)
	}
	return true, nil
}

var generatedRe = regexp.MustCompile(`(?m)^// Code generated .* DO NOT EDIT\.$`)

// interruptible runs f and returns early, with ctx's error, when ctx ends
// first: a long stage of a command that ends with the process then stops
// at Ctrl-C. f goes on in the background, so it must not write outputs.
func interruptible[T any](ctx context.Context, f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := f()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, fmt.Errorf("interrupted: %w", ctx.Err())
	}
}
