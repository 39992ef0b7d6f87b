package check

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/qapitools/qapi/internal/oas"
	"github.com/qapitools/qapi/redact"
)

// responseInput is what the response checks look at.
type responseInput struct {
	spec       *openapi3.T
	op         Operation
	req        *http.Request
	pathParams map[string]string
	t          Traffic
	strict     bool
	secrets    []string
	red        *redact.Redactor
}

// responseChecks runs the checks that hold for every response, one outcome
// per check, in report order.
func responseChecks(in responseInput) []Outcome {
	o, t := in.op, in.t
	what := o.Method + " " + o.Path
	var out []Outcome
	add := func(check string, st Status, reason string) {
		oc := Outcome{Check: check, Status: st, Reason: reason}
		if st == Fail {
			oc.Violations = []Violation{{Check: check, Operation: o.ID, Direction: DirectionResponse, Reason: reason}}
		}
		out = append(out, oc)
	}
	// failAt is a failure at a known field.
	failAt := func(check, field, reason string) {
		out = append(out, Outcome{Check: check, Status: Fail, Reason: reason,
			Violations: []Violation{{Check: check, Operation: o.ID, Direction: DirectionResponse, Field: field, Reason: reason}}})
	}
	// failErr is a failure of kin-openapi's validation, a violation per
	// field. kin-openapi's own message quotes the whole value, which the
	// peer sized; the reason is built from the fields instead.
	failErr := func(check string, err error, prefix string) {
		oc := Outcome{Check: check, Status: Fail}
		leaves, more := fieldErrors(err)
		for _, leaf := range leaves {
			field, why := describeError(leaf)
			oc.Violations = append(oc.Violations, Violation{Check: check, Operation: o.ID, Direction: DirectionResponse, Field: field, Reason: in.red.Text(clip(why))})
		}
		oc.Reason = prefix + clip(joinViolations(oc.Violations)) + andMore(more)
		out = append(out, oc)
	}

	if t.Status >= 500 {
		add(NotAServerError, Fail, fmt.Sprintf("%s answered %d", what, t.Status))
	} else {
		add(NotAServerError, Pass, "")
	}
	switch {
	case len(in.secrets) == 0:
		add(WriteOnlyNeverReturned, Skip, "no write-only value sent yet")
	default:
		if field, leaked := leakedSecret(in.secrets, t.Header, t.Body); leaked {
			failAt(WriteOnlyNeverReturned, field, fmt.Sprintf("%s returned a value sent in a write-only field (shown as %s)", what, redact.Marker))
		} else {
			add(WriteOnlyNeverReturned, Pass, "")
		}
	}
	resp := o.Op.Responses.Status(t.Status)
	if resp == nil && t.Status >= 400 {
		// A default response documents errors; a success must be listed.
		resp = o.Op.Responses.Default()
	}
	if resp == nil || resp.Value == nil {
		add(StatusCodeConformance, Fail, fmt.Sprintf("status %d is not documented for %s (documented: %s)", t.Status, o.ID, strings.Join(slices.Sorted(maps.Keys(o.Op.Responses.Map())), ", ")))
		add(ContentTypeConformance, Skip, "undocumented status")
		add(ResponseHeadersConformance, Skip, "undocumented status")
		add(ResponseSchemaConformance, Skip, "undocumented status")
		return out
	}
	add(StatusCodeConformance, Pass, "")
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: in.req, PathParams: in.pathParams,
			Route: &routers.Route{Spec: in.spec, Path: o.Path, PathItem: o.Item, Method: o.Method, Operation: o.Op},
		},
		Status:  t.Status,
		Header:  t.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true, ExcludeResponseBody: true},
	}
	input.SetBodyBytes(t.Body)
	if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
		failErr(ResponseHeadersConformance, err, "")
	} else if len(resp.Value.Headers) > 0 {
		add(ResponseHeadersConformance, Pass, "")
	} else {
		add(ResponseHeadersConformance, Skip, "no response headers documented")
	}
	if len(t.Body) == 0 && !t.BodyTruncated {
		// No bytes are the whole of an empty file's data; a JSON answer
		// needs at least a value.
		if len(resp.Value.Content) > 0 && !oas.BytesOnly(resp.Value.Content) {
			add(ContentTypeConformance, Fail, fmt.Sprintf("status %d documents a body but the response has none", t.Status))
		} else {
			add(ContentTypeConformance, Pass, "")
		}
		add(ResponseSchemaConformance, Skip, "empty body")
		return out
	}
	if len(resp.Value.Content) == 0 {
		add(ContentTypeConformance, Fail, fmt.Sprintf("status %d documents no body but the response has %d bytes", t.Status, len(t.Body)))
		add(ResponseSchemaConformance, Skip, "undocumented body")
		return out
	}
	ct := t.Header.Get("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	if resp.Value.Content.Get(mt) == nil {
		failAt(ContentTypeConformance, "header:Content-Type", fmt.Sprintf("Content-Type %q is not documented for status %d", ct, t.Status))
		add(ResponseSchemaConformance, Skip, "undocumented Content-Type")
		return out
	}
	add(ContentTypeConformance, Pass, "")
	if t.BodyTruncated {
		add(ResponseSchemaConformance, Skip, "response body too large to check its schema")
		return out
	}
	schema := resp.Value.Content.Get(mt).Schema
	body := t.Body
	if oas.IsJSON(ct) {
		body = withoutRedacted(body, schema)
	}
	var decoded any // the body as DecodeJSON read it, for the strict check
	if oas.IsJSON(ct) {
		var err error
		if decoded, err = oas.DecodeJSON(body, schema); err != nil {
			var je *oas.JSONError
			errors.As(err, &je)
			field := jsonField(je)
			failAt(ResponseSchemaConformance, field, fmt.Sprintf("%s: %s: %s", o.ID, field, je.Reason))
			return out
		}
	}
	input.Options = &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}
	input.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
		failErr(ResponseSchemaConformance, err, o.ID+": ")
		return out
	}
	if in.strict {
		if decoded != nil || json.Unmarshal(body, &decoded) == nil {
			if extra := undeclared(schema, decoded, ""); len(extra) > 0 {
				f := ""
				if len(extra) == 1 {
					f = extra[0]
				}
				failAt(ResponseSchemaConformance, f, clip(fmt.Sprintf("%s: strict: undeclared properties %s", o.ID, strings.Join(extra, ", "))))
				return out
			}
		}
	}
	add(ResponseSchemaConformance, Pass, "")
	return out
}

// withoutRedacted drops the members of a JSON body whose value a recording
// redacted where the schema takes no string there (a keytab's key bytes
// become the string [REDACTED]): what was recorded in place of a value is
// not judged as that value. A marker where a string goes stays, and
// anything else is judged as it is.
func withoutRedacted(body []byte, schema *openapi3.SchemaRef) []byte {
	marker := redact.Marker[:len(redact.Marker)-1]
	if !bytes.Contains(body, []byte(`"`+marker)) {
		return body
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return body
	}
	takesString := func(ref *openapi3.SchemaRef) bool {
		return ref == nil || ref.Value == nil || ref.Value.Type == nil || len(*ref.Value.Type) == 0 || ref.Value.Type.Is(openapi3.TypeString)
	}
	var drop func(v any, ref *openapi3.SchemaRef)
	drop = func(v any, ref *openapi3.SchemaRef) {
		var s *openapi3.Schema
		if ref != nil {
			s = ref.Value
		}
		switch t := v.(type) {
		case map[string]any:
			for k, e := range t {
				var p *openapi3.SchemaRef
				if s != nil {
					p = s.Properties[k]
				}
				if str, ok := e.(string); ok && strings.HasPrefix(str, marker) && !takesString(p) {
					delete(t, k)
					continue
				}
				drop(e, p)
			}
		case []any:
			var items *openapi3.SchemaRef
			if s != nil {
				items = s.Items
			}
			for _, e := range t {
				drop(e, items)
			}
		}
	}
	drop(v, schema)
	out, err := json.Marshal(v)
	if err != nil {
		return body
	}
	return out
}
