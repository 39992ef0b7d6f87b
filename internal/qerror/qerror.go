// Package qerror is the error document a Qumulo cluster answers with,
// {module, error_class, description, stack, user_visible}: written by the
// mock and the proxy, read by the client, in one place so all agree.
package qerror

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/qapitools/qapi/gen"
)

// New builds an error document with an empty stack: a cluster answers a
// list on most errors, and the schema accepts a list or a string.
func New(module, class, description string, userVisible bool) gen.QumuloError {
	var stack gen.QumuloError_Stack
	// Encoding an empty list cannot fail.
	_ = stack.FromQumuloErrorStack0([]string{})
	return gen.QumuloError{Module: module, ErrorClass: class, Description: description, Stack: &stack, UserVisible: &userVisible}
}

// Encode renders a document as one line of JSON. Descriptions are read by
// people in a terminal, not put into HTML, so <, > and & stay as they are.
func Encode(doc gen.QumuloError) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	// A document of strings, a bool and a raw list always encodes.
	_ = enc.Encode(doc)
	return buf.Bytes()
}

// Write answers doc with status. An ETag set for a success that did not
// happen is dropped.
func Write(w http.ResponseWriter, status int, doc gen.QumuloError) {
	body := Encode(doc)
	h := w.Header()
	h.Del("ETag")
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// Decode reads an error document. ok is false when body is not one (an
// HTML page from a proxy, an empty body). The stack comes back as lines
// whether the server sent a list or a string.
func Decode(body []byte) (doc gen.QumuloError, stack []string, ok bool) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || json.Unmarshal(trimmed, &doc) != nil {
		return gen.QumuloError{}, nil, false
	}
	if doc.ErrorClass == "" && doc.Description == "" && doc.Module == "" {
		return gen.QumuloError{}, nil, false
	}
	if doc.Stack != nil {
		if list, err := doc.Stack.AsQumuloErrorStack0(); err == nil {
			stack = list
		} else if s, err := doc.Stack.AsQumuloErrorStack1(); err == nil {
			stack = strings.Split(strings.TrimRight(s, "\n"), "\n")
		} else if raw, err := doc.Stack.MarshalJSON(); err == nil && string(raw) != "null" {
			stack = []string{string(raw)}
		}
	}
	return doc, stack, true
}
