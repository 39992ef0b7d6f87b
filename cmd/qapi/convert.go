package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/qapitools/qapi/convert"
	"github.com/qapitools/qapi/internal/fileio"
)

type convertCmd struct {
	stdout, stderr io.Writer
	dirs           []string
	out            string
	overlays       listFlag
	strict         bool
}

func (c *convertCmd) parse(args []string) error {
	fs := newFlagSet("convert", "qapi convert DIR... -o FILE [--overlay FILE|DIR]... [--strict]\n\n"+
		"Reads every doc page (*.md) under the folders and writes one OpenAPI 3.0.3 document.\n"+
		"Overlays apply after conversion in the order given; a folder means its *.yaml files in name order.\n"+
		"Every problem is printed with its file and line; on any error the output file is left untouched.", c.stdout)
	fs.StringVar(&c.out, "o", "", "output `FILE` (required); - writes to standard output")
	fs.Var(&c.overlays, "overlay", "OpenAPI Overlay 1.0 `FILE` or folder to apply (repeatable)")
	fs.BoolVar(&c.strict, "strict", false, "treat warnings (placeholders, dropped keywords) as errors")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return errors.New("convert: give at least one folder of doc pages")
	}
	if c.out == "" {
		return errors.New("convert: -o FILE is required")
	}
	c.dirs = pos
	return nil
}

func (c *convertCmd) Run(ctx context.Context) error {
	built, err := interruptible(ctx, func() (*convert.Built, error) { return build(c.dirs, c.overlays, c.strict, c.stderr) })
	if err != nil {
		return err
	}
	if c.out == "-" {
		_, err := c.stdout.Write(built.YAML)
		return err
	}
	if err := fileio.WriteAtomic(c.out, built.YAML); err != nil {
		return err
	}
	fmt.Fprintf(c.stderr, "wrote %s: %d operations from %d pages, %d warnings\n", c.out, built.Operations, built.Pages, len(built.Warnings))
	return nil
}

// build runs conversion and overlays and prints the warnings.
func build(dirs, overlays []string, strict bool, stderr io.Writer) (*convert.Built, error) {
	sources := make([]convert.Source, 0, len(dirs))
	for _, d := range dirs {
		st, err := os.Stat(d)
		if err != nil {
			return nil, fmt.Errorf("docs folder %s: %w", d, fileio.PathError(err))
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("docs folder %s: not a folder", d)
		}
		abs, err := filepath.Abs(d)
		if err != nil {
			return nil, err
		}
		sources = append(sources, convert.Source{Name: filepath.Base(abs), FS: os.DirFS(d)})
	}
	files, err := convert.OverlayFiles(overlays)
	if err != nil {
		return nil, err
	}
	built, err := convert.Build(sources, files, convert.Options{Strict: strict})
	if err != nil {
		return nil, err
	}
	for _, w := range built.Warnings {
		fmt.Fprintln(stderr, w)
	}
	return built, nil
}
