package main

import (
	"context"
	"errors"
	"fmt"
	"go/token"
	"io"
	"os"
	"path/filepath"

	"github.com/qapitools/qapi/convert"
	"github.com/qapitools/qapi/internal/codegen"
	"github.com/qapitools/qapi/internal/fileio"
)

type generateCmd struct {
	stdout, stderr io.Writer
	docs           listFlag
	out            string
	pkg            string
	overlays       listFlag
	strict         bool
}

func (c *generateCmd) parse(args []string) error {
	fs := newFlagSet("generate", "qapi generate --docs DIR... --out DIR --package NAME [--overlay FILE|DIR]... [--strict]\n\n"+
		"Converts every doc page (*.md) under the --docs folders into one OpenAPI 3.0.3 document, applies\n"+
		"the overlays in the order given (a folder means its *.yaml files in name order), and generates Go\n"+
		"code from it with oapi-codegen v2: models, a client and the embedded spec, no server (the options\n"+
		"of qapi's own gen/cfg.yaml). It writes DIR/api.yaml and DIR/NAME.gen.go,\n"+
		"creating DIR if needed. Every problem is printed with its file and line; when conversion or code\n"+
		"generation fails, neither output file is touched. Folders may also follow the flags as arguments.", c.stdout)
	fs.Var(&c.docs, "docs", "`DIR` of doc pages to convert (repeatable; required)")
	fs.StringVar(&c.out, "out", "", "output `DIR` for api.yaml and NAME.gen.go (required)")
	fs.StringVar(&c.pkg, "package", "", "Go package `NAME` of the generated code (required)")
	fs.Var(&c.overlays, "overlay", "OpenAPI Overlay 1.0 `FILE` or folder to apply (repeatable)")
	fs.BoolVar(&c.strict, "strict", false, "treat warnings (placeholders, dropped keywords) as errors")
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
	}
	return nil
}

func (c *generateCmd) Run(ctx context.Context) error {
	built, err := build(c.docs, c.overlays, c.strict, c.stderr)
	if err != nil {
		return err
	}
	code, err := codegen.Generate(ctx, built.YAML, codegen.Config(c.pkg, convert.AddedInitialisms...))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return err
	}
	apiPath := filepath.Join(c.out, "api.yaml")
	genPath := filepath.Join(c.out, c.pkg+".gen.go")
	// Both outputs exist in full before either is written, so a conversion
	// or generation error leaves the folder as it was; each write is atomic.
	if err := fileio.WriteAtomic(genPath, []byte(code)); err != nil {
		return err
	}
	if err := fileio.WriteAtomic(apiPath, built.YAML); err != nil {
		return err
	}
	fmt.Fprintf(c.stderr, "wrote %s and %s: %d operations from %d pages, %d warnings\n", apiPath, genPath, built.Operations, built.Pages, len(built.Warnings))
	return nil
}
