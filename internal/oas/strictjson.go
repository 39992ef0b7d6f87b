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

// CheckJSON reads a JSON body as strictly as the mock and the checks must
// agree on: exactly one JSON value with nothing after it but white space,
// valid UTF-8 throughout (keys included), numbers a float64 can hold, and,
// where ref says integer, a number written as one (5696, not 5696.0 or
// 5.696e3). Go's decoder, which kin-openapi uses, accepts all of these.
// ref may be nil. The error is a *JSONError.
func CheckJSON(body []byte, ref *openapi3.SchemaRef) error {
	if !utf8.Valid(body) {
		off := 0
		for off < len(body) {
			r, n := utf8.DecodeRune(body[off:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			off += n
		}
		return &JSONError{Offset: int64(off), Reason: "invalid UTF-8"}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		var se *json.SyntaxError
		switch {
		case errors.As(err, &se):
			return &JSONError{Offset: se.Offset, Reason: "invalid JSON: " + strings.TrimPrefix(se.Error(), "json: ")}
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return &JSONError{Offset: int64(len(body)), Reason: "invalid JSON: unexpected end of the body"}
		}
		return &JSONError{Offset: dec.InputOffset(), Reason: "invalid JSON"}
	}
	if end := dec.InputOffset(); len(bytes.TrimSpace(body[end:])) > 0 {
		at := end + int64(len(body[end:])-len(bytes.TrimLeft(body[end:], " \t\r\n")))
		return &JSONError{Offset: at, Reason: "data after the JSON value"}
	}
	return checkNumbers(ref, v, "")
}

// checkNumbers finds numbers out of range and integers written as
// fractions, following ref (and the arm of a union that v belongs to).
func checkNumbers(ref *openapi3.SchemaRef, v any, ptr string) error {
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
			if err := checkNumbers(property(s, k), t[k], ptr+"/"+escapePointer(k)); err != nil {
				return err
			}
		}
	case []any:
		var items *openapi3.SchemaRef
		if s != nil {
			items = s.Items
		}
		for i, e := range t {
			if err := checkNumbers(items, e, ptr+"/"+strconv.Itoa(i)); err != nil {
				return err
			}
		}
	}
	return nil
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
