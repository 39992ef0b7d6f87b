package convert

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/getkin/kin-openapi/openapi3"
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

// Build converts the sources, applies the overlays in the order given and
// checks the result with kin-openapi.
func Build(sources []Source, overlays []string, opts Options) (*Built, error) {
	res, err := Convert(sources, opts)
	if err != nil {
		return nil, err
	}
	root, err := toNode(res.Doc)
	if err != nil {
		return nil, err
	}
	for _, path := range overlays {
		if err := ApplyOverlay(root, path); err != nil {
			return nil, err
		}
	}
	overlaid, err := encode(root)
	if err != nil {
		return nil, err
	}
	name := "the converted document"
	if len(overlays) > 0 {
		name += " after overlays"
	}
	doc, err := Load(overlaid, name)
	if err != nil {
		return nil, err
	}
	// Render once more from the validated document so that what overlays
	// added lands in the same key order and style as the rest.
	if root, err = toNode(doc); err != nil {
		return nil, err
	}
	out, err := encode(root)
	if err != nil {
		return nil, err
	}
	ops := 0
	for _, item := range doc.Paths.Map() {
		ops += len(item.Operations())
	}
	return &Built{YAML: out, Doc: doc, Warnings: res.Warnings, Pages: res.Pages, Operations: ops}, nil
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

// toNode renders the document as a YAML node tree in a stable key order:
// maps sorted by key, the top level in reading order.
func toNode(doc *openapi3.T) (*yaml.Node, error) {
	data, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("encode document: %w", err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("encode document: %w", err)
	}
	top := root.Content[0]
	rank := map[string]int{}
	for i, k := range topLevelOrder {
		rank[k] = i
	}
	type pair struct{ k, v *yaml.Node }
	pairs := make([]pair, 0, len(top.Content)/2)
	for i := 0; i+1 < len(top.Content); i += 2 {
		pairs = append(pairs, pair{top.Content[i], top.Content[i+1]})
	}
	sort.SliceStable(pairs, func(i, j int) bool {
		ri, oki := rank[pairs[i].k.Value]
		rj, okj := rank[pairs[j].k.Value]
		if !oki {
			ri = len(topLevelOrder)
		}
		if !okj {
			rj = len(topLevelOrder)
		}
		return ri < rj
	})
	top.Content = top.Content[:0]
	for _, p := range pairs {
		top.Content = append(top.Content, p.k, p.v)
	}
	clearStyle(&root)
	return &root, nil
}

// clearStyle drops the JSON flow style so the output reads as block YAML.
func clearStyle(n *yaml.Node) {
	n.Style = 0
	for _, c := range n.Content {
		clearStyle(c)
	}
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
			return nil, fmt.Errorf("overlay %s: %w", p, unwrapPathError(err))
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

// WriteFileAtomic replaces path with data or leaves it as it was.
func WriteFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
