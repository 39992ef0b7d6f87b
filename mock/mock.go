package mock

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	qapi "github.com/qapitools/qapi"
	"github.com/qapitools/qapi/gen"
)

// Mock is the fake cluster as an http.Handler. Build one with New; it is
// safe for concurrent use.
type Mock struct {
	cfg    config
	doc    *openapi3.T
	router routers.Router
	ops    map[*openapi3.Operation]*opInfo
	auth   *sessions
	keys   *typedServer
	engine *engine
	// revision numbers every acknowledged write across all resources, so an
	// ETag also tells the order in which writes took effect.
	revision atomic.Uint64
}

// opInfo is what the request pipeline needs to know about an operation,
// worked out once so a request costs the same whatever the document's size.
type opInfo struct {
	secured  bool
	jsonBody bool // the operation takes a JSON request body
	// validate is the route request validation runs on: the operation
	// without security requirements, which the mock checks itself (with
	// the real tokens) before validation.
	validate *routers.Route
	// typed is the handler of an operation qapi knows (login, key store);
	// nil means the engine answers.
	typed http.Handler
}

// allMethods are the methods tried when working out an Allow header.
var allMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions}

// New builds a mock for the configured document (the embedded api.yaml by
// default).
func New(opts ...Option) (*Mock, error) {
	cfg := newConfig(opts)
	doc := cfg.spec
	if doc == nil {
		var err error
		if doc, err = qapi.Spec(); err != nil {
			return nil, fmt.Errorf("load embedded spec: %w", err)
		}
	}
	// The router matches servers too; a mock answers on whatever address it
	// listens on, so it routes on a shallow copy without servers. The
	// legacy router keeps the paths in a trie, so finding a route costs the
	// same with 3 operations or 466, unlike gorillamux, which tries every
	// route in turn.
	rdoc := *doc
	rdoc.Servers = nil
	router, err := legacy.NewRouter(&rdoc)
	if err != nil {
		return nil, fmt.Errorf("route spec: %w", err)
	}
	m := &Mock{cfg: cfg, doc: doc, router: router, ops: map[*openapi3.Operation]*opInfo{}}
	m.auth = newSessions(cfg)
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			bare := *op
			bare.Security = &openapi3.SecurityRequirements{}
			info := &opInfo{secured: secured(doc, op), validate: &routers.Route{Spec: &rdoc, Path: path, PathItem: item, Method: method, Operation: &bare}}
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				for ct := range op.RequestBody.Value.Content {
					if isJSON(ct) {
						info.jsonBody = true
					}
				}
			}
			m.ops[op] = info
		}
	}
	m.keys = newTypedServer(m)
	si := gen.NewStrictHandlerWithOptions(m.keys, nil, gen.StrictHTTPServerOptions{
		RequestErrorHandlerFunc: func(w http.ResponseWriter, _ *http.Request, err error) {
			writeError(w, newError(errBadRequest, "request body: %v", err))
		},
		ResponseErrorHandlerFunc: func(w http.ResponseWriter, _ *http.Request, err error) {
			writeError(w, asError(err))
		},
	})
	for key, h := range map[string]http.HandlerFunc{
		"POST /v1/session/login":       si.PostV1SessionLogin,
		"GET /v2/encryption/key-store": si.GetV2EncryptionKeyStore,
		"PUT /v2/encryption/key-store": si.PutV2EncryptionKeyStore,
	} {
		method, path, _ := strings.Cut(key, " ")
		if item := doc.Paths.Value(path); item != nil && item.GetOperation(method) != nil {
			m.ops[item.GetOperation(method)].typed = h
		}
	}
	m.engine = newEngine(m)
	return m, nil
}

// Spec is the document the mock serves.
func (m *Mock) Spec() *openapi3.T { return m.doc }

// secured tells whether op needs a token: its own security requirements,
// or the document's when it has none; an empty requirement makes it optional.
func secured(doc *openapi3.T, op *openapi3.Operation) bool {
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

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// validateOptions are the same for every request; security is checked
// before validation, so the authentication hook has nothing to do.
var validateOptions = openapi3filter.Options{
	AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
	SkipSettingDefaults: true,
}

type ctxKey int

const (
	ifMatchKey ctxKey = iota
)

// ServeHTTP answers one request: route, authenticate, bound and check the
// body, validate against the document, then hand it to a typed handler or
// the engine. Every refusal is a Qumulo error with the matching status.
func (m *Mock) ServeHTTP(w http.ResponseWriter, r *http.Request) {
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
	if err := m.serve(w, r); err != nil {
		writeError(w, asError(err))
	}
}

func (m *Mock) serve(w http.ResponseWriter, r *http.Request) error {
	route, params, err := m.findRoute(r)
	if err != nil {
		if allow := m.allowed(r); len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			return newError(errMethodNotAllowed, "method %s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, strings.Join(allow, ", "))
		}
		return newError(errNotFound, "no such endpoint: %s", r.URL.Path)
	}
	info := m.ops[route.Operation]
	if info == nil {
		return newError(errNotFound, "no such endpoint: %s", r.URL.Path)
	}
	if info.secured {
		if err := m.auth.check(r); err != nil {
			return err
		}
	}
	body, err := m.readBody(r)
	if err != nil {
		return err
	}
	if len(body) > 0 && info.jsonBody && !isJSON(r.Header.Get("Content-Type")) {
		return newError(errUnsupportedMedia, "unsupported content type %q: send application/json", r.Header.Get("Content-Type"))
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	in := &openapi3filter.RequestValidationInput{
		Request:    r,
		PathParams: params,
		Route:      info.validate,
		Options:    &validateOptions,
	}
	if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
		return newError(errBadRequest, "%s", describe(err))
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if im := r.Header.Get("If-Match"); im != "" {
		r = r.WithContext(context.WithValue(r.Context(), ifMatchKey, im))
	}
	if info.typed != nil {
		info.typed.ServeHTTP(w, r)
		return nil
	}
	return m.engine.serve(w, r, route, params, body)
}

// findRoute routes on the escaped path: a cluster takes a file path as one
// URL-encoded segment (/v1/files/%2Fdir%2Ffile/info/attributes), which the
// decoded path would split. Path parameters come back decoded.
func (m *Mock) findRoute(r *http.Request) (*routers.Route, map[string]string, error) {
	if r.URL.RawPath == "" {
		return m.router.FindRoute(r)
	}
	u := *r.URL
	u.Path = r.URL.EscapedPath()
	u.RawPath = ""
	probe := *r
	probe.URL = &u
	route, params, err := m.router.FindRoute(&probe)
	if err != nil {
		return nil, nil, err
	}
	for k, v := range params {
		if d, err := url.PathUnescape(v); err == nil {
			params[k] = d
		}
	}
	return route, params, nil
}

// readBody reads the whole body up to the limit.
func (m *Mock) readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	if r.ContentLength > m.cfg.maxBody {
		return nil, newError(errTooLarge, "request body of %d bytes is over the limit of %d bytes", r.ContentLength, m.cfg.maxBody)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, m.cfg.maxBody+1))
	if err != nil {
		return nil, newError(errBadRequest, "read request body: %v", err)
	}
	if int64(len(body)) > m.cfg.maxBody {
		return nil, newError(errTooLarge, "request body is over the limit of %d bytes", m.cfg.maxBody)
	}
	return body, nil
}

// allowed lists the methods the document has for the request's path; the
// router says only that the path and method together did not match.
func (m *Mock) allowed(r *http.Request) []string {
	var allow []string
	for _, method := range allMethods {
		if method == r.Method {
			continue
		}
		probe := &http.Request{Method: method, URL: r.URL, Header: http.Header{}}
		if _, _, err := m.findRoute(probe); err == nil {
			allow = append(allow, method)
		}
	}
	return allow
}

// etag renders a revision as an entity tag.
func etag(rev uint64) string { return `"qapi-` + strconv.FormatUint(rev, 10) + `"` }

// ifMatches tells whether the If-Match header in ctx, if any, names the
// resource's current entity tag.
func ifMatches(ctx context.Context, current string) bool {
	im, _ := ctx.Value(ifMatchKey).(string)
	if im == "" {
		return true
	}
	for _, t := range strings.Split(im, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == current {
			return true
		}
	}
	return false
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

// sortedKeys returns the keys of a map in order, so generation and
// projection are deterministic.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
