package apidiff

import (
	"cmp"
	"fmt"
	"strings"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oasdiff/oasdiff/checker"

	"github.com/qapitools/qapi/convert"
	"github.com/qapitools/qapi/internal/sdkgen"
)

// namer names the Go SDK's side of a change: the client's method, gen's
// type or field, spelled as internal/sdkgen and convert spell them (the
// names of client/names.golden and gen/names.golden).
type namer struct{ old, new *openapi3.T }

// impact says what of the SDK a change touches and how.
func (n *namer) impact(c checker.ApiChange) string {
	id := c.GetId()
	area := sdkgen.AreaOf(c.Path)
	if area == "" || c.OperationId == "" {
		return ""
	}
	method := "c." + area + "." + sdkgen.MethodName(c.OperationId, area)
	switch {
	case strings.Contains(id, "path-removed") || strings.HasPrefix(id, "api-removed"):
		return method + " disappears"
	case id == "endpoint-added" || strings.Contains(id, "path-added"):
		return method + " appears"
	case id == "api-operation-id-removed":
		if args := c.GetArgs(); len(args) == 2 {
			from, _ := args[0].(string)
			to, _ := args[1].(string)
			return fmt.Sprintf("c.%s.%s is now c.%s.%s", area, sdkgen.MethodName(from, area), area, sdkgen.MethodName(to, area))
		}
		return method + " is renamed"
	case strings.HasPrefix(id, "api-"):
		return method + " changes"
	case strings.Contains(id, "parameter"):
		return n.parameter(c, method)
	case strings.Contains(id, "property"):
		if field := n.property(c); field != "" {
			return field + " " + verb(id)
		}
	case strings.HasPrefix(id, "request-body") || strings.HasPrefix(id, "response-body") || strings.HasPrefix(id, "response-media-type") || strings.HasPrefix(id, "request-media-type"):
		request := strings.HasPrefix(id, "request")
		if t := n.bodyType(c, request); t != "" {
			return t + " " + verb(id)
		}
	}
	return method + " " + verb(id)
}

// verb is how a change touches a name.
func verb(id string) string {
	switch {
	case strings.Contains(id, "type-changed") || strings.Contains(id, "format-changed"):
		return "changes type"
	case strings.Contains(id, "enum-value"):
		return "takes other values"
	case strings.Contains(id, "status"):
		return "answers another status"
	case strings.Contains(id, "removed") || strings.Contains(id, "deleted"):
		return "disappears"
	case strings.Contains(id, "added") || strings.HasPrefix(id, "new-"):
		return "appears"
	}
	return "changes"
}

// parameter names a parameter's place in the method: a path parameter is
// an argument, the others fields of gen's <operationId>Params.
func (n *namer) parameter(c checker.ApiChange, method string) string {
	args := c.GetArgs()
	if len(args) < 2 {
		return method + " " + verb(c.GetId())
	}
	in, _ := args[0].(string)
	name, _ := args[1].(string)
	if in == openapi3.ParameterInPath {
		return fmt.Sprintf("argument %s of %s %s", name, method, verb(c.GetId()))
	}
	return fmt.Sprintf("gen.%sParams.%s %s", c.OperationId, convert.GoName(name), verb(c.GetId()))
}

// property finds the property a change names among its arguments and
// spells it as gen's field: gen.SMBShare.FSPath.
func (n *namer) property(c checker.ApiChange) string {
	request := strings.HasPrefix(c.GetId(), "request") || strings.Contains(c.GetId(), "request-property")
	for _, a := range c.GetArgs() {
		path, ok := a.(string)
		if !ok || path == "" {
			continue
		}
		for _, doc := range []*openapi3.T{n.old, n.new} {
			for _, root := range bodies(doc, c.Path, c.Operation, request) {
				if f := field(root, path); f != "" {
					return f
				}
			}
		}
	}
	return ""
}

// bodyType names gen's type of a request or success response body.
func (n *namer) bodyType(c checker.ApiChange, request bool) string {
	for _, doc := range []*openapi3.T{n.old, n.new} {
		for _, root := range bodies(doc, c.Path, c.Operation, request) {
			if name := refName(root); name != "" {
				return "gen." + name
			}
		}
	}
	return ""
}

// bodies are the JSON body schemas of an operation: its request, or its
// responses.
func bodies(doc *openapi3.T, path, method string, request bool) []*openapi3.SchemaRef {
	item := doc.Paths.Value(path)
	if item == nil {
		return nil
	}
	op := item.GetOperation(method)
	if op == nil {
		return nil
	}
	var roots []*openapi3.SchemaRef
	media := func(c openapi3.Content) {
		for _, mt := range c {
			if mt != nil && mt.Schema != nil {
				roots = append(roots, mt.Schema)
			}
		}
	}
	if request {
		if op.RequestBody != nil && op.RequestBody.Value != nil {
			media(op.RequestBody.Value.Content)
		}
		return roots
	}
	if op.Responses != nil {
		for _, code := range sortedKeys(op.Responses.Map()) {
			if r := op.Responses.Value(code); r != nil && r.Value != nil {
				media(r.Value.Content)
			}
		}
	}
	return roots
}

// field walks a property path (kms_store/port, privileges/items) from a
// body's schema and names the field it ends on by the type that holds it;
// items of a list are the list's field.
func field(root *openapi3.SchemaRef, path string) string {
	owner, s := refName(root), root
	var holder, name string
	for _, seg := range strings.Split(path, "/") {
		if s == nil || s.Value == nil {
			return ""
		}
		if seg == "items" && s.Value.Items != nil {
			s = s.Value.Items
			if n := refName(s); n != "" {
				owner = n
			}
			continue
		}
		next := findProperty(s.Value, seg)
		if next == nil {
			return ""
		}
		holder, name = owner, convert.GoName(seg)
		s = next
		// An object without a type of its own is named after its field.
		owner = cmp.Or(refName(s), owner+name)
	}
	if holder == "" || name == "" {
		return ""
	}
	return "gen." + holder + "." + name
}

// findProperty finds a property of s or of one of its union arms.
func findProperty(s *openapi3.Schema, name string) *openapi3.SchemaRef {
	if p := s.Properties[name]; p != nil {
		return p
	}
	for _, list := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf, s.AllOf} {
		for _, arm := range list {
			if arm.Value != nil && arm.Value.Properties[name] != nil {
				return arm.Value.Properties[name]
			}
		}
	}
	return nil
}

// refName is the Go name of the component a schema reference points at:
// the name itself in a converted document, where names are Go names, and
// the converter's spelling of a server type name (api_smb_share is
// SMBShare) in a document that names types so, such as a cluster's.
func refName(s *openapi3.SchemaRef) string {
	if s == nil || s.Ref == "" {
		return ""
	}
	name := s.Ref[strings.LastIndex(s.Ref, "/")+1:]
	if strings.ContainsAny(name, "_-.") || unicode.IsLower(rune(name[0])) {
		return convert.TypeGoName(name)
	}
	return name
}
