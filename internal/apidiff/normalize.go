package apidiff

import (
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/qapitools/qapi/convert"
)

// normalize puts both documents through the same cluster rules, in place,
// so that what remains between them is API change and not the way each
// was written. Rules that depend on what a document says at all (security,
// required, read-only and write-only marks) apply to both when either one
// says nothing of it: a side that never states it cannot disagree.
func normalize(old, new *openapi3.T) {
	oldF, newF := features(old), features(new)
	common := feature{
		security:  oldF.security && newF.security,
		required:  oldF.required && newF.required,
		direction: oldF.direction && newF.direction,
	}
	for _, doc := range []*openapi3.T{old, new} {
		n := &normalizer{keep: common, seen: map[*openapi3.Schema]bool{}}
		n.doc(doc)
	}
}

// feature tells which optional statements a document makes anywhere.
type feature struct {
	security  bool // a security requirement, on the document or an operation
	required  bool // a required property
	direction bool // a readOnly or writeOnly property
}

func features(doc *openapi3.T) feature {
	var f feature
	if len(doc.Security) > 0 {
		f.security = true
	}
	seen := map[*openapi3.Schema]bool{}
	var visit func(ref *openapi3.SchemaRef)
	visit = func(ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		s := ref.Value
		seen[s] = true
		if len(s.Required) > 0 {
			f.required = true
		}
		if s.ReadOnly || s.WriteOnly {
			f.direction = true
		}
		eachChild(s, visit)
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.Security != nil && len(*op.Security) > 0 {
				f.security = true
			}
		}
	}
	eachSchema(doc, visit)
	return f
}

type normalizer struct {
	keep feature
	seen map[*openapi3.Schema]bool
}

func (n *normalizer) doc(doc *openapi3.T) {
	// Titles, descriptions, servers and tags are not API; areas come from
	// the paths, as the SDK groups them.
	doc.Info = &openapi3.Info{Title: "API", Version: "0"}
	doc.Servers = nil
	doc.Tags = nil
	doc.ExternalDocs = nil
	doc.Extensions = nil
	if !n.keep.security {
		doc.Security = nil
	}
	var keys []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			keys = append(keys, method+" "+path)
		}
	}
	// Every operation is named by the converter's rule from its method and
	// path, so that names match gen and the client whatever wrote the
	// document (a cluster's own spec names them otherwise).
	ids := convert.OperationIDs(keys)
	for path, item := range doc.Paths.Map() {
		item.Summary, item.Description, item.Extensions = "", "", nil
		n.parameters(item.Parameters)
		for method, op := range item.Operations() {
			op.OperationID = ids[method+" "+path]
			op.Summary, op.Description = "", ""
			op.Tags, op.ExternalDocs, op.Extensions = nil, nil, nil
			if !n.keep.security {
				op.Security = nil
			}
			n.parameters(op.Parameters)
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				op.RequestBody.Value.Description = ""
				n.content(op.RequestBody.Value.Content)
			}
			if op.Responses != nil {
				for _, r := range op.Responses.Map() {
					n.response(r)
				}
			}
		}
	}
	if c := doc.Components; c != nil {
		if !n.keep.security {
			c.SecuritySchemes = nil
		}
		c.Examples = nil
		for _, p := range c.Parameters {
			n.parameter(p)
		}
		for _, r := range c.Responses {
			n.response(r)
		}
		for _, rb := range c.RequestBodies {
			if rb.Value != nil {
				rb.Value.Description = ""
				n.content(rb.Value.Content)
			}
		}
		for _, s := range c.Schemas {
			n.schema(s)
		}
		// What a client sees of a type is where an operation uses it;
		// component names differ between writers (a cluster's spec names
		// its types its own way), so they are not compared.
		c.Schemas = nil
	}
}

func (n *normalizer) parameters(ps openapi3.Parameters) {
	for _, p := range ps {
		n.parameter(p)
	}
}

func (n *normalizer) parameter(p *openapi3.ParameterRef) {
	if p == nil || p.Value == nil {
		return
	}
	v := p.Value
	v.Description, v.Example, v.Examples, v.Extensions = "", nil, nil, nil
	// Header names are case-insensitive: If-Match is if-match.
	if v.In == openapi3.ParameterInHeader {
		v.Name = strings.ToLower(v.Name)
	}
	n.schema(v.Schema)
	n.content(v.Content)
}

func (n *normalizer) response(r *openapi3.ResponseRef) {
	if r == nil || r.Value == nil {
		return
	}
	empty := ""
	r.Value.Description = &empty
	r.Value.Extensions = nil
	for _, h := range r.Value.Headers {
		if h.Value != nil {
			h.Value.Description, h.Value.Example, h.Value.Examples = "", nil, nil
			n.schema(h.Value.Schema)
		}
	}
	n.content(r.Value.Content)
}

func (n *normalizer) content(c openapi3.Content) {
	for _, mt := range c {
		if mt == nil {
			continue
		}
		mt.Example, mt.Examples, mt.Extensions = nil, nil, nil
		n.schema(mt.Schema)
	}
}

// pagingSchema is the shape every paged list is compared with: where the
// next page is. A cluster answers paging: {next, prev}; the guide's pages
// document next only (DESIGN.md, "Lists page with paging: {next, prev}").
func pagingSchema() *openapi3.SchemaRef {
	return openapi3.NewSchemaRef("", &openapi3.Schema{
		Type:       &openapi3.Types{openapi3.TypeObject},
		Properties: openapi3.Schemas{"next": openapi3.NewSchemaRef("", &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeString}})},
	})
}

func (n *normalizer) schema(ref *openapi3.SchemaRef) {
	if ref == nil || ref.Value == nil {
		return
	}
	// oasdiff tells union arms apart by their references; a cluster's spec
	// names its types as the server does (api_smb_share), which the
	// converter spells SMBShare, so both are written the converter's way.
	if ref.Ref != "" {
		ref.Ref = "#/components/schemas/" + refName(ref)
	}
	if n.seen[ref.Value] {
		return
	}
	s := ref.Value
	n.seen[s] = true
	s.Title, s.Description, s.Example, s.Extensions, s.ExternalDocs = "", "", nil, nil, nil
	// The pages write every integer as number; a cluster's spec writes
	// integer (DESIGN.md, "Numbers the pages call number are integers").
	// Compared as numbers, integer against number is no change, and a
	// number against a string still is.
	if s.Type != nil {
		t := slices.Clone(*s.Type)
		for i := range t {
			if t[i] == openapi3.TypeInteger {
				t[i] = openapi3.TypeNumber
			}
		}
		t = slices.DeleteFunc(t, func(x string) bool { return x == openapi3.TypeNull })
		s.Type = &t
	}
	// Formats (int64, double, date-time, password) are how a writer spells
	// a value, not which values travel; binary is kept: it is a file body.
	if s.Format != "binary" {
		s.Format = ""
	}
	// The pages mark optional settings nullable, a cluster's spec does
	// not: null is sent and answered either way (DESIGN.md, "Optional
	// settings may be sent as null").
	s.Nullable = false
	if !n.keep.required {
		s.Required = nil
	}
	if !n.keep.direction {
		s.ReadOnly, s.WriteOnly = false, false
	}
	if p, ok := s.Properties["paging"]; ok && p.Value != nil {
		if _, ok := p.Value.Properties["next"]; ok {
			s.Properties["paging"] = pagingSchema()
		}
	}
	eachChild(s, n.schema)
}

// eachChild calls f on every schema s holds.
func eachChild(s *openapi3.Schema, f func(*openapi3.SchemaRef)) {
	for _, name := range sortedKeys(s.Properties) {
		f(s.Properties[name])
	}
	f(s.Items)
	if s.AdditionalProperties.Schema != nil {
		f(s.AdditionalProperties.Schema)
	}
	f(s.Not)
	for _, list := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf, s.AllOf} {
		for _, c := range list {
			f(c)
		}
	}
}

// eachSchema calls f on the top schemas of doc: components and those of
// every operation.
func eachSchema(doc *openapi3.T, f func(*openapi3.SchemaRef)) {
	content := func(c openapi3.Content) {
		for _, mt := range c {
			if mt != nil {
				f(mt.Schema)
			}
		}
	}
	params := func(ps openapi3.Parameters) {
		for _, p := range ps {
			if p != nil && p.Value != nil {
				f(p.Value.Schema)
				content(p.Value.Content)
			}
		}
	}
	for _, item := range doc.Paths.Map() {
		params(item.Parameters)
		for _, op := range item.Operations() {
			params(op.Parameters)
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				content(op.RequestBody.Value.Content)
			}
			if op.Responses != nil {
				for _, r := range op.Responses.Map() {
					if r.Value != nil {
						content(r.Value.Content)
					}
				}
			}
		}
	}
	if doc.Components != nil {
		for _, s := range doc.Components.Schemas {
			f(s)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
