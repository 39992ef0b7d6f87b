package oas

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// JSONError is a body that a strict reader refuses. Pointer is the JSON
// pointer of the value at fault ("" for the whole body); Offset is the byte
// where a syntax problem was found, -1 otherwise.
type JSONError struct {
	Pointer string
	Offset  int64
	Reason  string
}

func (e *JSONError) Error() string {
	switch {
	case e.Offset >= 0:
		return fmt.Sprintf("byte %d: %s", e.Offset, e.Reason)
	case e.Pointer != "":
		return e.Pointer + ": " + e.Reason
	}
	return e.Reason
}

// DecodeJSON reads a JSON body as strictly as the mock and the checks must
// agree on, and answers its value, numbers as float64: exactly one JSON
// value with nothing after it but white space, valid UTF-8 throughout (keys
// included), no name twice in an object, numbers a float64 can hold, and,
// following ref, integers written as such (5696, not 5696.0 or 5.696e3) and
// no member named like a declared property in another case. Go's decoder,
// which kin-openapi and the generated server use, takes all of these, and
// some it reads differently: the last of two names wins, and a struct field
// takes "Username" for "username". ref may be nil. The error is a
// *JSONError.
func DecodeJSON(body []byte, ref *openapi3.SchemaRef) (any, error) {
	if !utf8.Valid(body) {
		off := 0
		for off < len(body) {
			r, n := utf8.DecodeRune(body[off:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			off += n
		}
		return nil, &JSONError{Offset: int64(off), Reason: "invalid UTF-8"}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	v, err := decodeValue(dec, "", 0)
	if err != nil {
		var je *JSONError
		var se *json.SyntaxError
		switch {
		case errors.As(err, &je):
			return nil, je
		case errors.As(err, &se):
			return nil, &JSONError{Offset: se.Offset, Reason: "invalid JSON: " + strings.TrimPrefix(se.Error(), "json: ")}
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return nil, &JSONError{Offset: int64(len(body)), Reason: "invalid JSON: unexpected end of the body"}
		}
		return nil, &JSONError{Offset: dec.InputOffset(), Reason: "invalid JSON"}
	}
	if end := dec.InputOffset(); len(bytes.TrimSpace(body[end:])) > 0 {
		at := end + int64(len(body[end:])-len(bytes.TrimLeft(body[end:], " \t\r\n")))
		return nil, &JSONError{Offset: at, Reason: "data after the JSON value"}
	}
	if err := checkValue(ref, v, ""); err != nil {
		return nil, err
	}
	return plain(v), nil
}

// maxNesting bounds the nesting of a body, as Go's decoder does.
const maxNesting = 10000

// decodeValue reads one value token by token, refusing a name given twice
// in one object.
func decodeValue(dec *json.Decoder, ptr string, depth int) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return tok, nil
	}
	if depth == maxNesting {
		return nil, &JSONError{Pointer: at(ptr), Offset: -1, Reason: fmt.Sprintf("nested deeper than %d levels", maxNesting)}
	}
	if d == '[' {
		arr := []any{}
		for dec.More() {
			v, err := decodeValue(dec, ptr+"/"+strconv.Itoa(len(arr)), depth+1)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
		_, err := dec.Token()
		return arr, err
	}
	obj := map[string]any{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name, _ := tok.(string) // the decoder allows nothing else here
		p := ptr + "/" + escapePointer(name)
		if _, dup := obj[name]; dup {
			return nil, &JSONError{Pointer: p, Offset: -1, Reason: "name given twice in one object"}
		}
		if obj[name], err = decodeValue(dec, p, depth+1); err != nil {
			return nil, err
		}
	}
	_, err = dec.Token()
	return obj, err
}

// checkValue finds numbers out of range, integers written as fractions
// and names that differ from a declared property only in case, following
// ref (and the arm of a union that v belongs to).
func checkValue(ref *openapi3.SchemaRef, v any, ptr string) error {
	var s *openapi3.Schema
	if ref != nil {
		if s = ref.Value; s != nil && len(s.OneOf) > 0 {
			s = ResolveArm(s, plain(v))
		}
	}
	switch t := v.(type) {
	case json.Number:
		if _, err := strconv.ParseFloat(t.String(), 64); err != nil {
			return &JSONError{Pointer: at(ptr), Offset: -1, Reason: fmt.Sprintf("number %s is out of range", clip(t.String()))}
		}
		if s != nil && s.Type.Is(openapi3.TypeInteger) && strings.ContainsAny(t.String(), ".eE") {
			return &JSONError{Pointer: at(ptr), Offset: -1, Reason: fmt.Sprintf("value must be an integer written without a fraction or exponent, got %s", clip(t.String()))}
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(t)) {
			p := ptr + "/" + escapePointer(k)
			if name := otherCase(s, k); name != "" {
				return &JSONError{Pointer: p, Offset: -1, Reason: fmt.Sprintf("names are case-sensitive: the property is %q", name)}
			}
			if err := checkValue(property(s, k), t[k], p); err != nil {
				return err
			}
		}
	case []any:
		var items *openapi3.SchemaRef
		if s != nil {
			items = s.Items
		}
		for i, e := range t {
			if err := checkValue(items, e, ptr+"/"+strconv.Itoa(i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// otherCase is the declared property of s that name differs from only in
// case, or "" when name is declared or like none.
func otherCase(s *openapi3.Schema, name string) string {
	if s == nil {
		return ""
	}
	if _, ok := s.Properties[name]; ok {
		return ""
	}
	for _, p := range slices.Sorted(maps.Keys(s.Properties)) {
		if strings.EqualFold(p, name) {
			return p
		}
	}
	return ""
}

// property is the schema of an object's member, declared or additional.
func property(s *openapi3.Schema, name string) *openapi3.SchemaRef {
	if s == nil {
		return nil
	}
	if p, ok := s.Properties[name]; ok {
		return p
	}
	for _, sub := range s.AllOf {
		if sub.Value != nil {
			if p, ok := sub.Value.Properties[name]; ok {
				return p
			}
		}
	}
	return s.AdditionalProperties.Schema
}

// plain is v with its numbers as float64, as ResolveArm's validation wants.
func plain(v any) any {
	switch t := v.(type) {
	case json.Number:
		f, _ := t.Float64()
		return f
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = plain(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = plain(e)
		}
		return out
	}
	return v
}

func at(ptr string) string {
	if ptr == "" {
		return "/"
	}
	return ptr
}

func escapePointer(k string) string {
	return strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
}

// clip keeps a number a peer chose short enough for a message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
