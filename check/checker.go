package check

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/qapitools/qapi/internal/oas"
	"github.com/qapitools/qapi/internal/redact"
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

// WithRedactor makes the Checker redact with r (and teach r the secrets it
// sees), so that a caller's reports and the Checker's reasons agree.
func WithRedactor(r *redact.Redactor) Option { return func(c *Checker) { c.red = r } }

// Checker checks exchanges against one spec. It routes requests to
// operations with a router built once, and remembers the write-only values
// requests sent so that a later response carrying one fails
// write_only_never_returned. It is safe for concurrent use.
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

// Redactor is the Checker's redactor: it knows the secrets seen in the
// traffic so far (passwords, write-only values, bearer tokens).
func (c *Checker) Redactor() *redact.Redactor { return c.red }

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

// CheckRequest checks a request before it is answered, and remembers the
// write-only values it carries. A proxy calls it before forwarding.
func (c *Checker) CheckRequest(t Traffic) []Violation {
	o, params, ok := c.route(t.Request)
	if !ok {
		return nil
	}
	c.Learn(o, t)
	return c.requestOutcome(o, params, t).Violations
}

// CheckResponse checks a response to a request CheckRequest saw.
func (c *Checker) CheckResponse(t Traffic) []Violation {
	o, params, ok := c.route(t.Request)
	if !ok {
		return nil
	}
	res := &Result{Operation: o, Known: true, Outcomes: append(c.ResponseOutcomes(o, params, t), c.passiveAuth(o, t))}
	return res.Violations()
}

// Check runs every passive check on a request and its response, in order,
// as if CheckRequest and CheckResponse were called.
func (c *Checker) Check(t Traffic) *Result {
	o, params, ok := c.route(t.Request)
	if !ok {
		return &Result{}
	}
	c.Learn(o, t)
	outs := append([]Outcome{c.requestOutcome(o, params, t)}, c.ResponseOutcomes(o, params, t)...)
	outs = append(outs, c.passiveAuth(o, t))
	return &Result{Operation: o, Known: true, Outcomes: outs}
}

// Learn teaches the redactor the request's token and remembers the
// write-only values of its body, for the checks of later responses.
func (c *Checker) Learn(o Operation, t Traffic) {
	if scheme, tok, ok := strings.Cut(t.Request.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		c.red.Add(tok)
	}
	schema := oas.RequestSchema(o.Op)
	if schema == nil || t.RequestBodyTruncated || len(t.RequestBody) == 0 {
		return
	}
	var v any
	if json.Unmarshal(t.RequestBody, &v) != nil {
		return
	}
	found := oas.WriteOnlyValues(schema, v)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range found {
		// A recording holds redacted values: a bare marker is no secret.
		if s == redact.Marker || s == "" {
			continue
		}
		if !contains(c.secrets, s) {
			c.secrets = append(c.secrets, s)
		}
		c.red.AddWriteOnly(s)
	}
	// A long-running proxy sees many secrets; the newest are the ones a
	// careless server would hand back, and checking stays cheap.
	if len(c.secrets) > maxTrackedSecrets {
		c.secrets = append([]string(nil), c.secrets[len(c.secrets)-maxTrackedSecrets:]...)
	}
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
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
	err := openapi3filter.ValidateRequest(context.Background(), input)
	if err == nil {
		out.Status = Pass
		if t.RequestBodyTruncated {
			out.Reason = "request body too large to check its schema"
		}
		return out
	}
	out.Status = Fail
	for _, leaf := range leafErrors(err) {
		field, reason := describeError(leaf)
		out.Violations = append(out.Violations, Violation{Check: RequestConformance, Operation: o.ID, Direction: DirectionRequest, Field: field, Reason: c.red.Text(reason)})
	}
	out.Reason = fmt.Sprintf("%s: %s", o.ID, joinViolations(out.Violations))
	return out
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
	if cred := loginToken(t.Body); cred != "" {
		c.red.Add(cred)
	}
	c.mu.Lock()
	secrets := append([]string(nil), c.secrets...)
	c.mu.Unlock()
	rq := t.Request.Clone(context.Background())
	rq.Body = io.NopCloser(bytes.NewReader(t.RequestBody))
	return responseChecks(responseInput{
		spec: c.spec, op: o, req: rq, pathParams: params, t: t,
		strict: c.strict, secrets: secrets, red: c.red,
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
