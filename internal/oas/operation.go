package oas

import (
	"maps"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Secured tells whether op needs a token: its own security requirements, or
// the document's when it has none. An empty requirement ("- {}") among them
// makes a token optional, so such an operation is not secured.
func Secured(doc *openapi3.T, op *openapi3.Operation) bool {
	reqs := doc.Security
	if op.Security != nil {
		reqs = *op.Security
	}
	if len(reqs) == 0 {
		return false
	}
	for _, r := range reqs {
		if len(r) == 0 {
			return false
		}
	}
	return true
}

// IsJSON tells whether a media type is JSON (application/json or +json).
func IsJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// jsonMedia is the first JSON media type of content, by name.
func jsonMedia(content openapi3.Content) *openapi3.MediaType {
	for _, ct := range slices.Sorted(maps.Keys(content)) {
		if IsJSON(ct) {
			return content[ct]
		}
	}
	return nil
}

// RequestSchema is the schema of op's JSON request body, or nil when it
// takes none.
func RequestSchema(op *openapi3.Operation) *openapi3.SchemaRef {
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil
	}
	if mt := jsonMedia(op.RequestBody.Value.Content); mt != nil {
		return mt.Schema
	}
	return nil
}

// StreamTypes are the media types of op's request body, sorted, when none
// is JSON: a body of bytes (a file's data, application/octet-stream),
// which clients send as they read it. Nil when op takes JSON or no body.
func StreamTypes(op *openapi3.Operation) []string {
	if op.RequestBody == nil || op.RequestBody.Value == nil || !BytesOnly(op.RequestBody.Value.Content) {
		return nil
	}
	return slices.Sorted(maps.Keys(op.RequestBody.Value.Content))
}

// BytesOnly tells whether content documents a body and no JSON one: bytes,
// which may be none at all (an empty file's data).
func BytesOnly(content openapi3.Content) bool {
	return len(content) > 0 && jsonMedia(content) == nil
}

// TakesJSON tells whether op documents a JSON request body.
func TakesJSON(op *openapi3.Operation) bool {
	return op.RequestBody != nil && op.RequestBody.Value != nil && jsonMedia(op.RequestBody.Value.Content) != nil
}

// Success is the answer of op when it succeeds: the lowest 2xx it
// documents, with its JSON media type and schema when it has a JSON body (a
// body without a schema gets the empty schema). An operation that documents
// no 2xx succeeds with 200 and no body.
func Success(op *openapi3.Operation) (status int, media *openapi3.MediaType, schema *openapi3.SchemaRef) {
	var resp *openapi3.Response
	for code, ref := range op.Responses.Map() {
		n, err := strconv.Atoi(code)
		if err != nil || n < 200 || n > 299 || ref == nil || ref.Value == nil {
			continue
		}
		if status == 0 || n < status {
			status, resp = n, ref.Value
		}
	}
	if status == 0 {
		return http.StatusOK, nil, nil
	}
	mt := jsonMedia(resp.Content)
	if mt == nil {
		return status, nil, nil
	}
	if mt.Schema == nil {
		return status, mt, &openapi3.SchemaRef{Value: &openapi3.Schema{}}
	}
	return status, mt, mt.Schema
}

// Parameters are the parameters of op with those of its path item; the
// operation's own win where both name one.
func Parameters(item *openapi3.PathItem, op *openapi3.Operation) []*openapi3.Parameter {
	var out []*openapi3.Parameter
	seen := map[[2]string]bool{}
	for _, list := range []openapi3.Parameters{op.Parameters, item.Parameters} {
		for _, ref := range list {
			p := ref.Value
			if p == nil {
				continue
			}
			k := [2]string{p.In, strings.ToLower(p.Name)}
			if !seen[k] {
				seen[k] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// TakesIfMatch tells whether op documents an If-Match header.
func TakesIfMatch(item *openapi3.PathItem, op *openapi3.Operation) bool {
	for _, p := range Parameters(item, op) {
		if p.In == openapi3.ParameterInHeader && strings.EqualFold(p.Name, "If-Match") {
			return true
		}
	}
	return false
}
