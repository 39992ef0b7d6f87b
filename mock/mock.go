package mock

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	qapi "github.com/qapitools/qapi"
	"github.com/qapitools/qapi/internal/oas"
	"github.com/qapitools/qapi/internal/serve"
	"github.com/qapitools/qapi/mock/internal/server"
)

// Mock is the fake cluster as an http.Handler. Build one with New; it is
// safe for concurrent use. Whichever way it is served (ServeHTTP, Start,
// httptest.NewServer, mocktest), it answers alike: its reactions first,
// then the twin behind its fault, if WithFault chose one.
type Mock struct {
	cfg config
	doc *openapi3.T
	// blueprint is what the mock works out from doc, shared with every
	// mock of doc (blueprint.go).
	*blueprint
	// typed holds the typed handler of each operation that has one (see
	// typedServer); the engine answers the others.
	typed  map[*openapi3.Operation]http.HandlerFunc
	auth   *sessions
	engine *engine
	// handler is the twin as served: twin, or twin behind its fault.
	handler   http.Handler
	reactions reactions
	// revision numbers every acknowledged write across all resources, so an
	// ETag also tells the order in which writes took effect.
	revision atomic.Uint64
	// specJSON is the document as GET /openapi.json answers it, encoded
	// once.
	specJSON func() ([]byte, error)
}

// opInfo is what the request pipeline needs to know about an operation,
// worked out once so a request costs the same whatever the document's size.
type opInfo struct {
	secured  bool
	jsonBody bool // the operation takes a JSON request body
	// streams are the media types of a request body that is not JSON (a
	// file's data), bounded as a file rather than as a request.
	streams []string
	// validate is the route request validation runs on: the operation
	// without security requirements, which the mock checks itself (with
	// the real tokens) before validation.
	validate *routers.Route
}

// New builds a mock for the configured document (the embedded api.yaml by
// default). What it works out from the document alone is built once per
// document and shared, so a fresh mock per test is cheap.
func New(opts ...Option) (*Mock, error) {
	cfg := newConfig(opts)
	doc := cfg.spec
	if doc == nil {
		var err error
		if doc, err = qapi.Spec(); err != nil {
			return nil, fmt.Errorf("load embedded spec: %w", err)
		}
	}
	bp, err := blueprintOf(doc)
	if err != nil {
		return nil, err
	}
	m := &Mock{cfg: cfg, doc: doc, blueprint: bp, typed: map[*openapi3.Operation]http.HandlerFunc{}}
	m.specJSON = sync.OnceValues(func() ([]byte, error) { return json.Marshal(doc) })
	m.auth = newSessions(cfg)
	si := server.NewStrictHandlerWithOptions(newTypedServer(m), nil, server.StrictHTTPServerOptions{
		RequestErrorHandlerFunc: func(w http.ResponseWriter, _ *http.Request, err error) {
			writeError(w, newError(errBadRequest, "request body: %v", err))
		},
		ResponseErrorHandlerFunc: func(w http.ResponseWriter, _ *http.Request, err error) {
			writeError(w, asError(err))
		},
	})
	// The generated server registers one route per operation it types;
	// recording them attaches each typed handler to its operation, so a
	// new one needs only its operationId in the server's cfg.yaml.
	typed := routes{}
	server.HandlerWithOptions(si, server.StdHTTPServerOptions{
		BaseRouter: typed,
		ErrorHandlerFunc: func(w http.ResponseWriter, _ *http.Request, err error) {
			writeError(w, newError(errBadRequest, "%v", err))
		},
	})
	for pattern, h := range typed {
		method, path, _ := strings.Cut(pattern, " ")
		if item := doc.Paths.Value(path); item != nil && item.GetOperation(method) != nil {
			m.typed[item.GetOperation(method)] = h
		}
	}
	if m.engine, err = newEngine(m, bp); err != nil {
		return nil, fmt.Errorf("mock: a fresh twin: %w", err)
	}
	m.auth.accessToken = m.engine.accessTokenUser
	m.handler = twin{m}
	if cfg.fault != "" {
		m.handler = newFaulty(cfg.fault, m.handler, cfg.user, cfg.password)
	}
	return m, nil
}

// Spec is the document the mock serves.
func (m *Mock) Spec() *openapi3.T { return m.doc }

// validateOptions are the same for every request; security is checked
// before validation, so the authentication hook has nothing to do. A JSON
// body, decoded already, is validated apart (validateBody).
var (
	validateOptions = openapi3filter.Options{
		AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
		SkipSettingDefaults: true,
	}
	validateParamsOptions = openapi3filter.Options{
		AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
		SkipSettingDefaults: true,
		ExcludeRequestBody:  true,
	}
)

// validateBody validates a decoded JSON request body as kin-openapi
// validates one it decodes itself, with the same errors.
func validateBody(in *openapi3filter.RequestValidationInput, present bool, value any) error {
	rb := in.Route.Operation.RequestBody.Value
	if !present {
		if rb.Required {
			return &openapi3filter.RequestError{Input: in, RequestBody: rb, Err: openapi3filter.ErrInvalidRequired}
		}
		return nil
	}
	schema := oas.RequestSchema(in.Route.Operation)
	if schema == nil || schema.Value == nil {
		return nil
	}
	if err := schema.Value.VisitJSON(withoutOptionalNulls(in.Request.Method, schema.Value, value), openapi3.VisitAsRequest()); err != nil {
		return &openapi3filter.RequestError{Input: in, RequestBody: rb, Reason: "doesn't match schema", Err: err}
	}
	return nil
}

type ctxKey int

const (
	ifMatchKey ctxKey = iota
)

// ServeHTTP answers one request: a reaction's answer when one matches it
// (React), else the twin's, through its fault if it has one.
func (m *Mock) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if m.reactions.active() && m.react(w, r) {
		return
	}
	m.handler.ServeHTTP(w, r)
}

// twin is the mock without its reactions and fault: route, authenticate,
// bound and check the body, validate against the document, then hand the
// request to a typed handler or the engine. Every refusal is a Qumulo error
// with the matching status.
type twin struct{ m *Mock }

func (t twin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			// A panic is a mock bug; answer it rather than drop the
			// connection so the client sees what happened.
			writeError(w, newError(errInternal, "internal error: %v", v))
		}
	}()
	if err := t.m.serve(w, r); err != nil {
		writeError(w, asError(err))
	}
}

func (m *Mock) serve(w http.ResponseWriter, r *http.Request) error {
	if r.URL.Path == specPath && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		return m.serveSpec(w, r)
	}
	route, params, err := m.router.FindRoute(r)
	if err != nil {
		if allow := m.router.Allowed(r); len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			return newError(errMethodNotAllowed, "method %s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, strings.Join(allow, ", "))
		}
		return newError(errNotFound, "no such endpoint: %s", r.URL.Path)
	}
	info := m.ops[route.Operation]
	if info == nil {
		return newError(errNotFound, "no such endpoint: %s", r.URL.Path)
	}
	if info.secured && !trusted(r.Context()) {
		uid, err := m.auth.check(r)
		if err != nil {
			return err
		}
		if uid != "" {
			if err := m.engine.authorize(uid, route.Operation); err != nil {
				return err
			}
			r = r.WithContext(context.WithValue(r.Context(), userKey{}, uid))
		}
	}
	limit := m.cfg.maxBody
	if len(info.streams) > 0 {
		if err := checkStreamType(r, info.streams); err != nil {
			return err
		}
		limit = m.cfg.maxFile
	}
	body, err := m.readBody(r, limit)
	if err != nil {
		return err
	}
	if len(body) > 0 && info.jsonBody && !oas.IsJSON(r.Header.Get("Content-Type")) {
		return newError(errUnsupportedMedia, "unsupported content type %q: send application/json", r.Header.Get("Content-Type"))
	}
	// A JSON body is read once, strictly; validation, the engine and the
	// typed handlers all see that value (the typed handlers decode the same
	// bytes into gen's types, which the strict reader makes agree with it).
	var value any
	opts := &validateOptions
	if info.jsonBody {
		if len(body) > 0 {
			if value, err = oas.DecodeJSON(body, oas.RequestSchema(route.Operation)); err != nil {
				return newError(errBadRequest, "request body: %v", err)
			}
		}
		opts = &validateParamsOptions
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	in := &openapi3filter.RequestValidationInput{
		Request:    r,
		PathParams: params,
		Route:      info.validate,
		Options:    opts,
	}
	err = openapi3filter.ValidateRequest(r.Context(), in)
	if err == nil && info.jsonBody {
		err = validateBody(in, len(body) > 0, value)
	}
	if err != nil {
		return newError(errBadRequest, "%s", describe(err))
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if im := r.Header.Get("If-Match"); im != "" {
		r = r.WithContext(context.WithValue(r.Context(), ifMatchKey, im))
	}
	if typed := m.typed[route.Operation]; typed != nil {
		// The generated handlers read path parameters as a ServeMux
		// would have set them.
		for name, v := range params {
			r.SetPathValue(name, v)
		}
		typed(w, r)
		return nil
	}
	return m.engine.serve(w, r, route, params, body, value)
}

// specPath is where a cluster serves its own OpenAPI document (Qumulo Core
// 7.8.2 lists the path in its spec, beside its servers entry).
const specPath = "/openapi.json"

// serveSpec answers the document the twin serves, as a cluster answers
// its own. A cluster may ask for a token; the twin does not, so a client
// with no credentials (qapi diff without QUMULO_*) can read it.
func (m *Mock) serveSpec(w http.ResponseWriter, r *http.Request) error {
	data, err := m.specJSON()
	if err != nil {
		return newError(errInternal, "encode the document: %v", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(data)
	}
	return nil
}

// readBody reads the whole body up to limit bytes.
func (m *Mock) readBody(r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	if r.ContentLength > limit {
		return nil, newError(errTooLarge, "request body of %d bytes is over the limit of %d bytes", r.ContentLength, limit)
	}
	// Counted from the start: a stalled upload's buffer is memory too.
	expect := r.ContentLength
	if expect < 0 {
		expect = limit
	}
	serve.Hold(r.Context(), int(min(expect, limit)))
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, newError(errBadRequest, "read request body: %v", err)
	}
	if int64(len(body)) > limit {
		return nil, newError(errTooLarge, "request body is over the limit of %d bytes", limit)
	}
	return body, nil
}

// etag renders a revision as an entity tag.
func etag(rev uint64) string { return `"qapi-` + strconv.FormatUint(rev, 10) + `"` }

// ifMatches tells whether the If-Match header in ctx, if any, names the
// resource's current entity tag. Tags compare by their opaque part, as RFC
// 9110 does, quoted or not: clients strip the quotes from the ETag they read
// and send it back bare. A weak tag (W/) matches its strong twin.
func ifMatches(ctx context.Context, current string) bool {
	im, _ := ctx.Value(ifMatchKey).(string)
	if im == "" {
		return true
	}
	want := opaqueTag(current)
	for _, t := range strings.Split(im, ",") {
		if t = strings.TrimSpace(t); t == "*" || opaqueTag(t) == want {
			return true
		}
	}
	return false
}

// opaqueTag is an entity tag without its weakness prefix and quotes.
func opaqueTag(t string) string {
	t = strings.TrimPrefix(t, "W/")
	if len(t) >= 2 && t[0] == '"' && t[len(t)-1] == '"' {
		return t[1 : len(t)-1]
	}
	return t
}

func preconditionFailed(ctx context.Context, current string) *Error {
	im, _ := ctx.Value(ifMatchKey).(string)
	return newError(errPrecondition, "If-Match %s does not match the current ETag %s", im, current)
}

// asError turns any error into one the mock answers with; an error that is
// not an *Error is a mock bug and answers 500.
func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return newError(errInternal, "internal error: %v", err)
}

// describe says which part of the request failed validation and why, in
// one line.
func describe(err error) string {
	var re *openapi3filter.RequestError
	if !errors.As(err, &re) {
		return err.Error()
	}
	where := "request"
	switch {
	case re.Parameter != nil:
		where = fmt.Sprintf("%s parameter %q", re.Parameter.In, re.Parameter.Name)
	case re.RequestBody != nil:
		where = "request body"
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		// A union that failed says only that no arm matched; the arm's own
		// error (one arm when there is a discriminator) names the field.
		ptr := se.JSONPointer()
		for se.Origin != nil {
			var inner *openapi3.SchemaError
			if !errors.As(se.Origin, &inner) {
				break
			}
			se = inner
			ptr = append(ptr, inner.JSONPointer()...)
		}
		if len(ptr) > 0 {
			where += fmt.Sprintf(" field %q", strings.Join(ptr, "."))
		}
		return where + ": " + se.Reason
	}
	reason := re.Reason
	if re.Err != nil {
		if reason != "" {
			reason += ": "
		}
		reason += re.Err.Error()
	}
	return where + ": " + reason
}

// routes records the handlers a generated server registers, by
// "METHOD /path". It never serves: the mock routes requests itself.
type routes map[string]http.HandlerFunc

func (rs routes) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	rs[pattern] = h
}

func (routes) ServeHTTP(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNotFound) }
