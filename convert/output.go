package convert

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/qapitools/qapi/internal/fileio"
	"github.com/speakeasy-api/openapi/overlay"
	"gopkg.in/yaml.v3"
)

// Built is a finished document: converted, overlaid and validated.
type Built struct {
	YAML       []byte
	Doc        *openapi3.T
	Warnings   []Problem
	Pages      int
	Operations int
}

// topLevelOrder is the order of the document's top-level keys, as people read them.
var topLevelOrder = []string{"openapi", "info", "servers", "security", "tags", "paths", "components"}

// Build converts the sources, applies the overlays in the order given,
// checks that generated Go code declares no name twice and checks the
// result with kin-openapi.
func Build(sources []Source, overlays []string, opts Options) (*Built, error) {
	res, err := Convert(sources, opts)
	if err != nil {
		return nil, err
	}
	doc := res.Doc
	what := "the converted document"
	if len(overlays) > 0 {
		if doc, err = applyOverlays(doc, overlays); err != nil {
			return nil, err
		}
		what += " after overlays"
	}
	if err := checkNames(doc); err != nil {
		return nil, err
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("%s is not a valid OpenAPI document: %w", what, err)
	}
	v, err := docValue(doc)
	if err != nil {
		return nil, err
	}
	ops := 0
	for _, item := range doc.Paths.Map() {
		ops += len(item.Operations())
	}
	return &Built{YAML: emitYAML(v), Doc: doc, Warnings: res.Warnings, Pages: res.Pages, Operations: ops}, nil
}

// applyOverlays applies overlays to the document's YAML form and loads the
// result.
func applyOverlays(doc *openapi3.T, overlays []string) (*openapi3.T, error) {
	v, err := docValue(doc)
	if err != nil {
		return nil, err
	}
	root := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{valueNode(v)}}
	for _, path := range overlays {
		if err := ApplyOverlay(root, path); err != nil {
			return nil, err
		}
	}
	overlaid, err := encode(root)
	if err != nil {
		return nil, err
	}
	doc, err = openapi3.NewLoader().LoadFromData(overlaid)
	if err != nil {
		return nil, fmt.Errorf("the converted document after overlays: %w", err)
	}
	return doc, nil
}

func encode(root *yaml.Node) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, fmt.Errorf("encode document: %w", err)
	}
	return buf.Bytes(), nil
}

// Load parses and validates an OpenAPI document; name says where it came from.
func Load(data []byte, name string) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("%s is not a valid OpenAPI document: %w", name, err)
	}
	return doc, nil
}

// docValue decodes the document's JSON form into plain values.
func docValue(doc *openapi3.T) (map[string]any, error) {
	data, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("encode document: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("encode document: %w", err)
	}
	return v, nil
}

func scalar(tag, value string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: value}
}

// valueNode builds the YAML node for a decoded JSON value, keys sorted, for
// overlays to work on.
func valueNode(v any) *yaml.Node {
	switch t := v.(type) {
	case map[string]any:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: make([]*yaml.Node, 0, 2*len(t))}
		for _, k := range sortedKeys(t) {
			n.Content = append(n.Content, scalar("!!str", k), valueNode(t[k]))
		}
		return n
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: make([]*yaml.Node, 0, len(t))}
		for _, e := range t {
			n.Content = append(n.Content, valueNode(e))
		}
		return n
	case string:
		return scalar("!!str", t)
	case json.Number:
		if _, err := t.Int64(); err == nil {
			return scalar("!!int", t.String())
		}
		return scalar("!!float", t.String())
	case bool:
		return scalar("!!bool", strconv.FormatBool(t))
	}
	return scalar("!!null", "null")
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ApplyOverlay applies one OpenAPI Overlay document to root. Every action must
// match at least one node: an overlay that no longer fits the document is an
// error, not a silent no-op.
func ApplyOverlay(root *yaml.Node, path string) error {
	ov, err := overlay.Parse(path)
	if err != nil {
		return fmt.Errorf("overlay %s: %w", path, err)
	}
	if err := ov.Validate(); err != nil {
		return fmt.Errorf("overlay %s: %w", path, err)
	}
	if _, err := ov.ApplyToStrict(root); err != nil {
		return fmt.Errorf("overlay %s: %w", path, err)
	}
	return nil
}

// OverlayFiles expands the given paths: a folder stands for its *.yaml and
// *.yml files in name order.
func OverlayFiles(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("overlay %s: %w", p, fileio.PathError(err))
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		var files []string
		for _, pat := range []string{"*.yaml", "*.yml"} {
			m, _ := filepath.Glob(filepath.Join(p, pat))
			files = append(files, m...)
		}
		sort.Strings(files)
		out = append(out, files...)
	}
	return out, nil
}
