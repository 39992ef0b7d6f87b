package sdkgen

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/qapitools/qapi/convert"
	"github.com/qapitools/qapi/internal/fileio"
)

// Load reads the contract at specPath (api.yaml) and the source of package
// gen generated from it at genPath, and plans the services.
func Load(specPath, genPath string) (*openapi3.T, *Plan, error) {
	spec, err := os.ReadFile(specPath)
	if err != nil {
		return nil, nil, err
	}
	src, err := os.ReadFile(genPath)
	if err != nil {
		return nil, nil, err
	}
	doc, err := convert.Load(spec, filepath.Base(specPath))
	if err != nil {
		return nil, nil, err
	}
	p, err := Build(doc, src)
	if err != nil {
		return nil, nil, err
	}
	return doc, p, nil
}

// Generate plans the services as Load does and returns their files, and
// gen's accessors (see Accessors), which go beside genPath (AccessorsPath).
func Generate(specPath, genPath string) (files map[string][]byte, accessors []byte, err error) {
	doc, p, err := Load(specPath, genPath)
	if err != nil {
		return nil, nil, err
	}
	if files, err = p.Files(); err != nil {
		return nil, nil, err
	}
	src, err := os.ReadFile(genPath)
	if err != nil {
		return nil, nil, err
	}
	accessors, err = Accessors(doc, src, path.Join(filepath.Base(filepath.Dir(genPath)), filepath.Base(genPath)))
	return files, accessors, err
}

// owned tells whether a file of package client is the generator's: it
// writes them all and removes those it no longer writes.
func owned(name string) bool {
	return name == ServicesFile || strings.HasSuffix(name, "_service.gen.go")
}

// Write puts files into dir and removes the generator's files that are not
// among them (the service of an area that no longer exists).
func Write(dir string, files map[string][]byte) error {
	old, err := filepath.Glob(filepath.Join(dir, "*.gen.go"))
	if err != nil {
		return err
	}
	for _, path := range old {
		if name := filepath.Base(path); owned(name) && files[name] == nil {
			if err := os.Remove(path); err != nil {
				return err
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if err := fileio.WriteAtomic(filepath.Join(dir, name), files[name]); err != nil {
			return err
		}
	}
	return nil
}

// Check compares files with what dir holds and names every file that
// differs, is missing or is left over.
func Check(dir string, files map[string][]byte) error {
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(files)) {
		have, err := os.ReadFile(filepath.Join(dir, name))
		switch {
		case errors.Is(err, os.ErrNotExist):
			errs = append(errs, fmt.Errorf("%s is missing", name))
		case err != nil:
			errs = append(errs, err)
		case !bytes.Equal(have, files[name]):
			errs = append(errs, fmt.Errorf("%s is stale", name))
		}
	}
	old, err := filepath.Glob(filepath.Join(dir, "*.gen.go"))
	if err != nil {
		return err
	}
	for _, path := range old {
		if name := filepath.Base(path); owned(name) && files[name] == nil {
			errs = append(errs, fmt.Errorf("%s is left over", name))
		}
	}
	return errors.Join(errs...)
}

// AccessorsPath is where the accessors of the package gen whose source is
// at genPath go: beside it.
func AccessorsPath(genPath string) string {
	return filepath.Join(filepath.Dir(genPath), AccessorsFile)
}
