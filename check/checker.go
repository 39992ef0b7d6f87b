package check

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/qapitools/qapi/internal/oas"
	"github.com/qapitools/qapi/redact"
)

// Directions of a Violation.
const (
	DirectionRequest  = "request"
	DirectionResponse = "response"
)

// Violation is one way an exchange breaks the contract. Reason never holds
// a secret: values are redacted and schema errors name the field, not the
// value.
type Violation struct {
	Check     string `json:"check"`
	Operation string `json:"operation"`
	Direction string `json:"direction"`
	// Field is a JSON pointer into the body (/kms_store/port), a parameter
	// (query:limit, header:If-Match) or a header, where known.
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
}

func (v Violation) String() string {
	s := fmt.Sprintf("%s %s %s", v.Operation, v.Direction, v.Check)
	if v.Field != "" {
		s += " at " + v.Field
	}
	return s + ": " + v.Reason
}

// Traffic is one request and its answer as a client and a server exchanged
// them. Bodies may be cut short (a proxy keeps only so much); the schema
// checks of a truncated body are skipped.
type Traffic struct {
	Request              *http.Request
	RequestBody          []byte
	RequestBodyTruncated bool
	Status               int
	Header               http.Header
	Body                 []byte
	BodyTruncated        bool
	// Redactor redacts what is said about this exchange: set it to
	// Checker.Scope's answer to build that once; nil makes the Checker
	// build it when needed.
	Redactor *redact.Redactor
}

// Operation is an operation of the spec.
type Operation struct {
	ID, Method, Path string
	Item             *openapi3.PathItem
	Op               *openapi3.Operation
}

// Outcome is one check's verdict on one exchange.
type Outcome struct {
	Check  string
	Status Status
	// Reason is the failure message or why the check did not apply.
	Reason string
	// Violations are a failure in detail, with fields where known.
	Violations []Violation
}

// Result is what Check found on one exchange.
type Result struct {
	// Operation is the operation the request was routed to; Known is false
	// when the spec has no such path or method, and nothing was checked.
	Operation Operation
	Known     bool
	Outcomes  []Outcome
}

// Violations lists every failure of the exchange.
func (r *Result) Violations() []Violation {
	var out []Violation
	for _, o := range r.Outcomes {
		out = append(out, o.Violations...)
	}
	return out
}

// Option configures a Checker.
type Option func(*Checker)

// WithStrict makes response_schema_conformance reject undeclared
// properties, as qapi contract --strict does.
func WithStrict(strict bool) Option { return func(c *Checker) { c.strict = strict } }

// WithRedactor makes the Checker redact with r (and teach r the secrets
// that proved real), so that a caller's reports and the Checker's reasons
// agree.
func WithRedactor(r *redact.Redactor) Option { return func(c *Checker) { c.red = r } }

// Checker checks exchanges against one spec. It routes requests to
// operations with a router built once, and remembers the write-only values
// that successful writes sent so that a later response carrying one fails
// write_only_never_returned. It is safe for concurrent use.
//
// What a Checker learns from traffic is what the server accepted: a token
// once a secured operation succeeded with it, write-only values once their
// write succeeded, the token a login answered. A peer sending made-up
// tokens or failing logins teaches it nothing, so it cannot slow it down;
// the secrets of each exchange are redacted all the same (Scope).
type Checker struct {
	spec   *openapi3.T
	router *oas.Router
	strict bool
	red    *redact.Redactor

	mu      sync.Mutex
	secrets []string
}

// NewChecker builds a Checker for spec.
func NewChecker(spec *openapi3.T, opts ...Option) (*Checker, error) {
	if spec == nil {
		return nil, errors.New("check: no spec")
	}
	router, err := oas.NewRouter(spec)
	if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	c := &Checker{spec: spec, router: router, red: redact.New()}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// Redactor is the Checker's redactor: it knows the secrets the traffic so
// far proved real (accepted tokens, stored write-only values).
func (c *Checker) Redactor() *redact.Redactor { return c.red }

// Scope returns the redactor for t's exchange: the Checker's, plus the
// secrets t's request carries (its credentials, the values of fields named
// like secrets and of write-only fields), which the Checker learns only if
// the exchange shows they were accepted.
func (c *Checker) Scope(t Traffic) *redact.Redactor {
	sc := c.red.Scope()
	var schema *openapi3.SchemaRef
	if o, _, ok := c.route(t.Request); ok {
		schema = oas.RequestSchema(o.Op)
	}
	sec := requestSecrets(schema, t)
	for _, s := range sec.plain {
		sc.Add(s)
	}
	for _, s := range sec.writeOnly {
		sc.AddWriteOnly(s)
	}
	return sc
}

// scope is t's redactor, built unless the caller set it.
func (c *Checker) scope(t Traffic) *redact.Redactor {
	if t.Redactor != nil {
		return t.Redactor
	}
	return c.Scope(t)
}

func (c *Checker) route(req *http.Request) (Operation, map[string]string, bool) {
	r, params, err := c.router.FindRoute(req)
	if err != nil || r == nil {
		return Operation{}, nil, false
	}
	id := r.Operation.OperationID
	if id == "" {
		id = r.Method + " " + r.Path
	}
	return Operation{ID: id, Method: strings.ToUpper(r.Method), Path: r.Path, Item: r.PathItem, Op: r.Operation}, params, true
}

// CheckRequest checks a request before it is answered. A proxy calls it
// before forwarding.
func (c *Checker) CheckRequest(t Traffic) []Violation {
	o, params, ok := c.route(t.Request)
	if !ok {
		return nil
	}
	return c.requestOutcome(o, params, t).Violations
}

// CheckResponse checks a response to a request CheckRequest saw, then
// learns what the exchange shows was accepted.
func (c *Checker) CheckResponse(t Traffic) []Violation {
	o, params, ok := c.route(t.Request)
	if !ok {
		return nil
	}
	res := &Result{Operation: o, Known: true, Outcomes: append(c.ResponseOutcomes(o, params, t), c.passiveAuth(o, t))}
	c.Learn(o, t)
	return res.Violations()
}

// Check runs every passive check on a request and its response, in order,
// as if CheckRequest and CheckResponse were called.
func (c *Checker) Check(t Traffic) *Result {
	o, params, ok := c.route(t.Request)
	if !ok {
		return &Result{}
	}
	if t.Redactor == nil {
		t.Redactor = c.Scope(t)
	}
	outs := append([]Outcome{c.requestOutcome(o, params, t)}, c.ResponseOutcomes(o, params, t)...)
	outs = append(outs, c.passiveAuth(o, t))
	c.Learn(o, t)
	return &Result{Operation: o, Known: true, Outcomes: outs}
}

// Learn keeps what t's exchange shows the server accepted, when it
// succeeded (2xx): the request's credentials if o is secured, the
// write-only values it sent, and the token a login answered. A failed
// exchange teaches nothing.
func (c *Checker) Learn(o Operation, t Traffic) {
	if t.Status < 200 || t.Status > 299 {
		return
	}
	if tok := loginToken(t.Body); tok != "" {
		c.red.Add(tok)
	}
	sec := requestSecrets(oas.RequestSchema(o.Op), t)
	if len(sec.writeOnly) == 0 && !oas.Secured(c.spec, o.Op) {
		return
	}
	red := c.scope(t)
	if oas.Secured(c.spec, o.Op) {
		for _, cred := range sec.credentials {
			red.Keep(cred)
		}
	}
	if len(sec.writeOnly) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range sec.writeOnly {
		if !slices.Contains(c.secrets, s) {
			c.secrets = append(c.secrets, s)
		}
		red.KeepWriteOnly(s)
	}
	// A long-running proxy sees many secrets; the newest are the ones a
	// careless server would hand back, and checking stays cheap.
	if len(c.secrets) > maxTrackedSecrets {
		c.secrets = slices.Clone(c.secrets[len(c.secrets)-maxTrackedSecrets:])
	}
}

// maxTrackedSecrets bounds the write-only values a Checker compares later
// responses with.
const maxTrackedSecrets = 256

func (c *Checker) requestOutcome(o Operation, params map[string]string, t Traffic) Outcome {
	out := Outcome{Check: RequestConformance}
	opts := &openapi3filter.Options{
		MultiError: true, SkipSettingDefaults: true,
		AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
		ExcludeRequestBody: t.RequestBodyTruncated,
	}
	rq := t.Request.Clone(context.Background())
	rq.Body = io.NopCloser(bytes.NewReader(t.RequestBody))
	rq.ContentLength = int64(len(t.RequestBody))
	input := &openapi3filter.RequestValidationInput{
		Request: rq, PathParams: params, Options: opts,
		Route: &routers.Route{Spec: c.spec, Path: o.Path, PathItem: o.Item, Method: o.Method, Operation: o.Op},
	}
	red := c.scope(t)
	fail := func(field, reason string) {
		out.Violations = append(out.Violations, Violation{Check: RequestConformance, Operation: o.ID, Direction: DirectionRequest, Field: field, Reason: red.Text(clip(reason))})
	}
	schema := oas.RequestSchema(o.Op)
	strictBody := !t.RequestBodyTruncated && len(t.RequestBody) > 0 && schema != nil && oas.IsJSON(t.Request.Header.Get("Content-Type"))
	var decoded any // the body as DecodeJSON read it, for the strict check
	if strictBody {
		// Go's decoder, under kin-openapi, takes trailing data, invalid
		// UTF-8 and 5696.0 for an integer; a cluster does not.
		var err error
		if decoded, err = oas.DecodeJSON(t.RequestBody, schema); err != nil {
			var je *oas.JSONError
			errors.As(err, &je)
			fail(jsonField(je), je.Reason)
		}
	}
	more := 0
	if len(out.Violations) == 0 {
		if err := openapi3filter.ValidateRequest(context.Background(), input); err != nil {
			var leaves []error
			leaves, more = fieldErrors(err)
			for _, leaf := range leaves {
				fail(describeError(leaf))
			}
		}
	}
	if len(out.Violations) == 0 && c.strict && strictBody {
		if extra := undeclared(schema, decoded, ""); len(extra) > 0 {
			f := ""
			if len(extra) == 1 {
				f = extra[0]
			}
			fail(f, "strict: undeclared properties "+strings.Join(extra, ", "))
		}
	}
	if len(out.Violations) == 0 {
		out.Status = Pass
		if t.RequestBodyTruncated {
			out.Reason = "request body too large to check its schema"
		}
		return out
	}
	out.Status = Fail
	out.Reason = o.ID + ": " + clip(joinViolations(out.Violations)) + andMore(more)
	return out
}

// jsonField is where a strict JSON error is: a JSON pointer, or the byte
// offset of a syntax problem.
func jsonField(e *oas.JSONError) string {
	if e.Offset >= 0 {
		return fmt.Sprintf("body@%d", e.Offset)
	}
	return e.Pointer
}

// maxReason bounds a reason: kin-openapi quotes values, and a peer chooses
// how long they are.
const maxReason = 512

func clip(s string) string {
	if len(s) <= maxReason {
		return s
	}
	cut := maxReason
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("… [%d bytes more]", len(s)-cut)
}

func joinViolations(vs []Violation) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = v.Reason
		if v.Field != "" {
			parts[i] = v.Field + ": " + v.Reason
		}
	}
	return strings.Join(parts, "; ")
}

// ResponseOutcomes runs the checks that hold for every response on the
// answer to a request for o, which the caller routed itself (the contract
// runner, which knows what it sent): not_a_server_error, the conformance
// checks, and write_only_never_returned against what Learn remembered.
func (c *Checker) ResponseOutcomes(o Operation, params map[string]string, t Traffic) []Outcome {
	c.mu.Lock()
	secrets := slices.Clone(c.secrets)
	c.mu.Unlock()
	// A response that hands back what its own request sent leaks it too,
	// whether or not the write succeeded.
	for _, s := range requestSecrets(oas.RequestSchema(o.Op), t).writeOnly {
		if !slices.Contains(secrets, s) {
			secrets = append(secrets, s)
		}
	}
	rq := t.Request.Clone(context.Background())
	rq.Body = io.NopCloser(bytes.NewReader(t.RequestBody))
	return responseChecks(responseInput{
		spec: c.spec, op: o, req: rq, pathParams: params, t: t,
		strict: c.strict, secrets: secrets, red: c.scope(t),
	})
}

// loginToken is the bearer_token of a login answer, so the redactor hides
// it wherever it shows up later.
func loginToken(body []byte) string {
	if !bytes.Contains(body, []byte(`"bearer_token"`)) {
		return ""
	}
	var cred struct {
		BearerToken string `json:"bearer_token"`
	}
	_ = json.Unmarshal(body, &cred)
	return cred.BearerToken
}

// passiveAuth is ignored_auth as an observer can check it: a request
// without a token to a secured operation must not succeed.
func (c *Checker) passiveAuth(o Operation, t Traffic) Outcome {
	out := Outcome{Check: IgnoredAuth, Status: Skip}
	switch {
	case !oas.Secured(c.spec, o.Op):
		out.Reason = "the operation requires no token"
	case t.Request.Header.Get("Authorization") != "":
		out.Reason = "the request carried a token"
	case t.Status == http.StatusUnauthorized || t.Status == http.StatusForbidden:
		out.Status = Pass
	case t.Status < 400:
		out.Status = Fail
		out.Reason = fmt.Sprintf("%s %s without a token answered %d, want 401", o.Method, o.Path, t.Status)
		out.Violations = []Violation{{Check: IgnoredAuth, Operation: o.ID, Direction: DirectionResponse, Field: "header:Authorization", Reason: out.Reason}}
	default:
		out.Reason = fmt.Sprintf("the request without a token got %d", t.Status)
	}
	return out
}
