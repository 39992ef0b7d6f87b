// Package codegen runs oapi-codegen v2 as a library, so that qapi can turn an
// OpenAPI document into Go code without a second process and the tests can
// check that the committed gen/ package is current.
//
// The output is byte-identical to what the pinned oapi-codegen command writes
// for the same document and configuration file
// (go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config CFG SPEC).
package codegen

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"
	"github.com/speakeasy-api/openapi/overlay/loader"
	"gopkg.in/yaml.v3"
)

// Module is the module path of the code generator; generated files name it in
// their "Code generated" line.
const Module = "github.com/oapi-codegen/oapi-codegen/v2"

// fileConfig is the layout of an oapi-codegen configuration file: the
// library's Configuration plus the command's output path.
type fileConfig struct {
	codegen.Configuration `yaml:",inline"`
	Output                string `yaml:"output,omitempty"`
}

// LoadConfig reads an oapi-codegen configuration file (the new-style layout
// that gen/cfg.yaml uses) and returns it with the command's defaults applied.
// Unknown keys are an error, so a typo does not silently change the output.
// The file's "output" key is accepted and ignored: callers choose where the
// code goes.
func LoadConfig(path string) (codegen.Configuration, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return codegen.Configuration{}, fmt.Errorf("codegen config: %w", err)
	}
	cfg, err := ParseConfig(data)
	if err != nil {
		return codegen.Configuration{}, fmt.Errorf("codegen config %s: %w", path, err)
	}
	return cfg, nil
}

// ParseConfig is LoadConfig on the contents of a configuration file.
func ParseConfig(data []byte) (codegen.Configuration, error) {
	var fc fileConfig
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&fc); err != nil {
		return codegen.Configuration{}, fmt.Errorf("not an oapi-codegen configuration: %w", err)
	}
	cfg := fc.Configuration.UpdateDefaults()
	if err := cfg.Validate(); err != nil {
		return codegen.Configuration{}, err
	}
	return cfg, nil
}

// mu serialises generation: oapi-codegen keeps its options and templates in
// package-level state.
var mu sync.Mutex

// generateCode is oapi-codegen; a test replaces it with one that blocks.
var generateCode = codegen.Generate

// Generate turns an OpenAPI document (YAML or JSON) into formatted Go source
// as configured. External $refs are not followed, because the document has no
// location of its own; use GenerateFile for documents that have them. An
// overlay named in cfg.OutputOptions.Overlay is applied as the command does,
// its path taken relative to the working directory. When ctx ends while
// oapi-codegen runs, Generate returns at once; oapi-codegen, which cannot
// be interrupted, finishes in the background (its enum pass compares every
// enum with every other, so a document with tens of thousands of enums
// takes hours), and holds up other generations in this process until then.
func Generate(ctx context.Context, spec []byte, cfg codegen.Configuration) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	doc, err := openapi3.NewLoader().LoadFromData(spec)
	if err != nil {
		return "", fmt.Errorf("load OpenAPI document: %w", err)
	}
	return generate(ctx, doc, "", cfg)
}

// GenerateFile loads the OpenAPI document at path the way the oapi-codegen
// command does (external $refs allowed, relative to the file) and generates
// Go source from it.
func GenerateFile(ctx context.Context, path string, cfg codegen.Configuration) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	l := openapi3.NewLoader()
	l.IsExternalRefsAllowed = true
	doc, err := l.LoadFromFile(path)
	if err != nil {
		return "", fmt.Errorf("load OpenAPI document %s: %w", path, err)
	}
	return generate(ctx, doc, path, cfg)
}

// GenerateDoc generates Go source from a loaded document. oapi-codegen
// modifies the document it is given (it drops filtered operations and unused
// components), so pass one you no longer need.
func GenerateDoc(ctx context.Context, doc *openapi3.T, cfg codegen.Configuration) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	return generate(ctx, doc, "", cfg)
}

func generate(ctx context.Context, doc *openapi3.T, path string, cfg codegen.Configuration) (string, error) {
	if err := cfg.Validate(); err != nil {
		return "", fmt.Errorf("codegen config: %w", err)
	}
	if cfg.OutputOptions.Overlay.Path != "" {
		strict := true
		if cfg.OutputOptions.Overlay.Strict != nil {
			strict = *cfg.OutputOptions.Overlay.Strict
		}
		var err error
		if doc, err = applyOverlay(doc, path, cfg.OutputOptions.Overlay.Path, strict); err != nil {
			return "", err
		}
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	version := generatorVersion()
	if cfg.NoVCSVersionOverride != nil {
		version = *cfg.NoVCSVersionOverride
	}

	type result struct {
		code string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		mu.Lock()
		defer mu.Unlock()
		code, err := generateCode(doc, cfg)
		done <- result{code, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return "", fmt.Errorf("generate code: %w", r.err)
		}
		return rewriteHeader(r.code, version), nil
	case <-ctx.Done():
		return "", fmt.Errorf("generate code: %w", ctx.Err())
	}
}

// applyOverlay mirrors util.LoadSwaggerWithOverlay of the command, which only
// takes a file path.
func applyOverlay(doc *openapi3.T, specPath, overlayPath string, strict bool) (*openapi3.T, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encode document for overlay %s: %w", overlayPath, err)
	}
	var node yaml.Node
	if err := yaml.NewDecoder(&buf).Decode(&node); err != nil {
		return nil, fmt.Errorf("decode document for overlay %s: %w", overlayPath, err)
	}
	ov, err := loader.LoadOverlay(overlayPath)
	if err != nil {
		return nil, fmt.Errorf("overlay %s: %w", overlayPath, err)
	}
	if err := ov.Validate(); err != nil {
		return nil, fmt.Errorf("overlay %s: %w", overlayPath, err)
	}
	if strict {
		if vs, err := ov.ApplyToStrict(&node); err != nil {
			if len(vs) > 0 {
				err = fmt.Errorf("%w (%s)", err, strings.Join(vs, "; "))
			}
			return nil, fmt.Errorf("overlay %s: %w", overlayPath, err)
		}
	} else if err := ov.ApplyTo(&node); err != nil {
		return nil, fmt.Errorf("overlay %s: %w", overlayPath, err)
	}
	b, err := yaml.Marshal(&node)
	if err != nil {
		return nil, fmt.Errorf("overlay %s: %w", overlayPath, err)
	}
	l := openapi3.NewLoader()
	l.IsExternalRefsAllowed = specPath != ""
	out, err := l.LoadFromDataWithPath(b, &url.URL{Path: filepath.ToSlash(specPath)})
	if err != nil {
		return nil, fmt.Errorf("load document after overlay %s: %w", overlayPath, err)
	}
	return out, nil
}

// generatorVersion is the version of oapi-codegen linked into this binary, as
// the command reports its own. Test binaries carry no dependency list, so the
// version is then read from the module-cache path of the library's source
// ("…/oapi-codegen/v2@v2.7.2/pkg/codegen/codegen.go", kept under -trimpath).
func generatorVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Path == Module && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			return bi.Main.Version
		}
		for _, d := range bi.Deps {
			if d.Path == Module {
				if d.Replace != nil && d.Replace.Version != "" {
					return d.Replace.Version
				}
				return d.Version
			}
		}
	}
	if f := runtime.FuncForPC(reflect.ValueOf(codegen.Generate).Pointer()); f != nil {
		file, _ := f.FileLine(f.Entry())
		if m := sourceVersionRe.FindStringSubmatch(filepath.ToSlash(file)); m != nil {
			return m[1]
		}
	}
	return "unknown version"
}

var sourceVersionRe = regexp.MustCompile(`/oapi-codegen/v2@(v[^/]+)/pkg/codegen/`)

var headerRe = regexp.MustCompile(`(?m)^// Code generated by .* DO NOT EDIT\.$`)

// rewriteHeader names the generator in the "Code generated" line. Run as a
// library, oapi-codegen names the main module of the running binary (qapi or
// a test) instead of itself.
func rewriteHeader(code, version string) string {
	loc := headerRe.FindStringIndex(code)
	if loc == nil {
		return code
	}
	return code[:loc[0]] + "// Code generated by " + Module + " version " + version + " DO NOT EDIT." + code[loc[1]:]
}

// Config is the configuration qapi generates with: models and a client, with
// Go initialisms in names (KeyID, not KeyId; pass the converter's
// convert.AddedInitialisms), as gen/cfg.yaml says for the committed gen
// package, but for the client: gen keeps only its request builders, which
// package client calls, while the users of qapi generate have no package
// client and get oapi-codegen's whole client. A test keeps the two in step. It embeds no spec: that would make
// every program using the client link kin-openapi, and the spec is beside
// the code (api.yaml) for whoever needs it.
func Config(pkg string, initialisms ...string) codegen.Configuration {
	return codegen.Configuration{
		PackageName: pkg,
		Generate: codegen.GenerateOptions{
			Models: true,
			Client: true,
		},
		OutputOptions: codegen.OutputOptions{
			NameNormalizer:        string(codegen.NameNormalizerFunctionToCamelCaseWithInitialisms),
			AdditionalInitialisms: initialisms,
			// r.HTTPResponse.Header has it; see gen/cfg.yaml.
			SkipClientResponseContentType: true,
			UserTemplates:                 map[string]string{"imports.tmpl": ImportsTemplate},
		},
	}
}

// ImportsTemplate is oapi-codegen's imports.tmpl without its package doc
// ("provides primitives to interact with the openapi HTTP API"), which
// says nothing a reader needs: gen has a doc.go of its own. gen/cfg.yaml
// holds the same text; a test keeps the two in step.
const ImportsTemplate = `{{- if opts.Generate.StdHTTPServer}}//go:build go1.22

{{- end}}
// Code generated by {{.ModuleName}} version {{.Version}} DO NOT EDIT.

package {{.PackageName}}

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"go.yaml.in/yaml/v3"
	"io"
	"os"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/oapi-codegen/runtime"
	"github.com/oapi-codegen/nullable"
	openapi_types "github.com/oapi-codegen/runtime/types"
	"github.com/getkin/kin-openapi/openapi3"
	{{- range .RouterImports}}
	{{if .Alias}}{{.Alias}} {{end}}"{{.Package}}"
	{{- end}}
	{{- range .ExternalImports}}
	{{ . }}
	{{- end}}
	{{- range .AdditionalImports}}
	{{.Alias}} "{{.Package}}"
	{{- end}}
)
`
