package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// RequestConformance is the check an observed request fails when it does not
// match its operation: parameters and body schema. The runner does not use
// it (it sends invalid requests on purpose); the proxy and verify do.
const RequestConformance = "request_conformance"

// ExchangeChecks lists the checks that apply to one observed exchange, in
// report order: what the proxy and qapi verify check. Negative data,
// round trips and ETags need requests of their own and are not among them;
// ignored_auth is checked passively (a request without a token that
// succeeded on a secured operation).
var ExchangeChecks = []Check{
	{RequestConformance, "A request the client sent matches its operation: parameters and JSON body schema."},
	{NotAServerError, "No request gets a 5xx answer."},
	{StatusCodeConformance, "Every status answered is documented for the operation: successes explicitly, errors (4xx, 5xx) at least by its default response."},
	{ContentTypeConformance, "A response body comes with a documented Content-Type, and only where the response documents content."},
	{ResponseHeadersConformance, "Documented response headers are present and match their schemas."},
	{ResponseSchemaConformance, "Every response body validates against its schema; with strict mode, undeclared properties fail too (drift)."},
	{IgnoredAuth, "A request without a token to an operation that requires security is refused."},
	{WriteOnlyNeverReturned, "A value sent in a writeOnly or format: password field never appears in a later response body or header."},
}

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

// CheckerOption configures a Checker.
type CheckerOption func(*Checker)

// WithStrict makes response_schema_conformance reject undeclared
// properties, as qapi contract --strict does.
func WithStrict(strict bool) CheckerOption { return func(c *Checker) { c.strict = strict } }

// Checker checks observed exchanges against one spec. It routes requests
// to operations with a router built once, and remembers the write-only
// values requests sent so that a later response carrying one fails
// write_only_never_returned. It is safe for concurrent use.
type Checker struct {
	spec   *openapi3.T
	router routers.Router
	strict bool
	red    *Redactor

	mu      sync.Mutex
	secrets []string
}

// NewChecker builds a Checker for spec.
func NewChecker(spec *openapi3.T, opts ...CheckerOption) (*Checker, error) {
	if spec == nil {
		return nil, errors.New("contract: no spec")
	}
	// Route on paths only: the servers a spec declares (https://{host}:8000)
	// say nothing about where a proxy or a recording saw the traffic.
	routed := *spec
	routed.Servers = nil
	router, err := legacy.NewRouter(&routed, openapi3.DisableExamplesValidation(), openapi3.DisableSchemaDefaultsValidation())
	if err != nil {
		return nil, fmt.Errorf("contract: route the spec: %w", err)
	}
	c := &Checker{spec: spec, router: router, red: NewRedactor()}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// Redactor is the Checker's redactor: it knows the secrets seen in the
// traffic so far (passwords, write-only values, bearer tokens).
func (c *Checker) Redactor() *Redactor { return c.red }

// Operation names the operation a request was routed to.
type Operation struct {
	ID, Method, Path string
}

// Lookup routes a request to its operation; ok is false for a path or
// method the spec does not have.
func (c *Checker) Lookup(req *http.Request) (Operation, bool) {
	o, _, ok := c.route(req)
	if !ok {
		return Operation{}, false
	}
	return Operation{ID: o.ID, Method: strings.ToUpper(o.Method), Path: o.Path}, true
}

func (c *Checker) route(req *http.Request) (op, map[string]string, bool) {
	r, params, err := c.router.FindRoute(req)
	if err != nil || r == nil {
		return op{}, nil, false
	}
	id := r.Operation.OperationID
	if id == "" {
		id = r.Method + " " + r.Path
	}
	return op{ID: id, Method: r.Method, Path: r.Path, Item: r.PathItem, Op: r.Operation}, params, true
}

// Outcome is one check's verdict on one exchange.
type Outcome struct {
	Check  string
	Status Status
	// Reason is the failure message or why the check did not apply.
	Reason string
	// Violations are the failures in detail, with fields where known.
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

// CheckRequest checks a request before it is answered, and remembers the
// write-only values it carries. A proxy calls it before forwarding.
func (c *Checker) CheckRequest(t Traffic) []Violation {
	o, params, ok := c.route(t.Request)
	if !ok {
		return nil
	}
	c.learnRequest(o, t)
	out := c.requestOutcome(o, params, t)
	return out.Violations
}

// CheckResponse checks a response to a request CheckRequest saw.
func (c *Checker) CheckResponse(t Traffic) []Violation {
	res := c.checkResponse(t)
	return res.Violations()
}

// Check runs every exchange check on a request and its response, in order,
// as if CheckRequest and CheckResponse were called.
func (c *Checker) Check(t Traffic) *Result {
	o, params, ok := c.route(t.Request)
	if !ok {
		return &Result{}
	}
	c.learnRequest(o, t)
	req := c.requestOutcome(o, params, t)
	res := c.checkResponse(t)
	res.Outcomes = append([]Outcome{req}, res.Outcomes...)
	return res
}

// CheckExchange checks one exchange against spec. It builds a Checker each
// time; to check many exchanges (and write-only values across them), build
// one with NewChecker.
func CheckExchange(spec *openapi3.T, req *http.Request, reqBody []byte, status int, header http.Header, body []byte, opts ...CheckerOption) ([]Violation, error) {
	c, err := NewChecker(spec, opts...)
	if err != nil {
		return nil, err
	}
	return c.Check(Traffic{Request: req, RequestBody: reqBody, Status: status, Header: header, Body: body}).Violations(), nil
}

// learnRequest teaches the redactor the request's token and remembers the
// write-only values of its body.
func (c *Checker) learnRequest(o op, t Traffic) {
	if scheme, tok, ok := strings.Cut(t.Request.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		c.red.Add(tok)
	}
	schema := requestSchema(o.Op)
	if schema == nil || t.RequestBodyTruncated || len(t.RequestBody) == 0 {
		return
	}
	var v any
	if json.Unmarshal(t.RequestBody, &v) != nil {
		return
	}
	found := writeOnlyValues(schema, v, nil)
	c.mu.Lock()
	for _, s := range found {
		// A recording holds redacted values: a bare marker is no secret.
		if s == redactedText || s == "" {
			continue
		}
		c.secrets = appendUnique(c.secrets, s)
		c.red.addWriteOnly(s)
	}
	// A long-running proxy sees many secrets; the newest are the ones a
	// careless server would hand back, and checking stays cheap.
	if len(c.secrets) > maxTrackedSecrets {
		c.secrets = append([]string(nil), c.secrets[len(c.secrets)-maxTrackedSecrets:]...)
	}
	c.mu.Unlock()
}

// maxTrackedSecrets bounds the write-only values a Checker compares later
// responses with.
const maxTrackedSecrets = 256

// writeOnly tells whether a value only travels to the server: writeOnly, or
// a password, which a cluster never sends back.
func writeOnly(s *openapi3.Schema) bool { return s.WriteOnly || s.Format == "password" }

// writeOnlyValues lists the values of writeOnly or format: password fields.
func writeOnlyValues(ref *openapi3.SchemaRef, v any, out []string) []string {
	if ref == nil || ref.Value == nil {
		return out
	}
	s := resolveArm(ref.Value, v)
	switch t := v.(type) {
	case string:
		if writeOnly(s) {
			out = append(out, t)
		}
	case map[string]any:
		for _, name := range sortedKeys(t) {
			if p, ok := s.Properties[name]; ok {
				out = writeOnlyValues(p, t[name], out)
			}
		}
	case []any:
		for _, e := range t {
			out = writeOnlyValues(s.Items, e, out)
		}
	}
	return out
}

func (c *Checker) requestOutcome(o op, params map[string]string, t Traffic) Outcome {
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

func (c *Checker) checkResponse(t Traffic) *Result {
	o, params, ok := c.route(t.Request)
	if !ok {
		return &Result{}
	}
	if cred := loginToken(t.Body); cred != "" {
		c.red.Add(cred)
	}
	c.mu.Lock()
	secrets := append([]string(nil), c.secrets...)
	c.mu.Unlock()
	rq := t.Request.Clone(context.Background())
	rq.Body = io.NopCloser(bytes.NewReader(t.RequestBody))
	what := strings.ToUpper(o.Method) + " " + o.Path
	outs := responseOutcomes(exchangeInput{
		spec: c.spec, op: o, req: rq, pathParams: params, status: t.Status, header: t.Header,
		body: t.Body, truncated: t.BodyTruncated, strict: c.strict, secrets: secrets, red: c.red, what: what,
	})
	outs = append(outs, passiveAuth(c.spec, o, t))
	res := &Result{Operation: Operation{ID: o.ID, Method: strings.ToUpper(o.Method), Path: o.Path}, Known: true}
	for _, oc := range outs {
		out := Outcome{Check: oc.check, Status: oc.status, Reason: oc.reason}
		if oc.status == Fail {
			if oc.err != nil {
				for _, leaf := range leafErrors(oc.err) {
					field, reason := describeError(leaf)
					out.Violations = append(out.Violations, Violation{Check: oc.check, Operation: o.ID, Direction: DirectionResponse, Field: field, Reason: c.red.Text(reason)})
				}
			}
			if len(out.Violations) == 0 {
				out.Violations = []Violation{{Check: oc.check, Operation: o.ID, Direction: DirectionResponse, Field: oc.field, Reason: oc.reason}}
			}
		}
		res.Outcomes = append(res.Outcomes, out)
	}
	return res
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
func passiveAuth(spec *openapi3.T, o op, t Traffic) outcome {
	sec := o.Op.Security
	if sec == nil {
		sec = &spec.Security
	}
	if len(*sec) == 0 {
		return outcome{check: IgnoredAuth, status: Skip, reason: "the operation requires no security"}
	}
	for _, req := range *sec {
		if len(req) == 0 {
			return outcome{check: IgnoredAuth, status: Skip, reason: "the operation's security is optional"}
		}
	}
	if t.Request.Header.Get("Authorization") != "" {
		return outcome{check: IgnoredAuth, status: Skip, reason: "the request carried a token"}
	}
	if t.Status == http.StatusUnauthorized || t.Status == http.StatusForbidden {
		return outcome{check: IgnoredAuth, status: Pass}
	}
	if t.Status < 400 {
		return outcome{check: IgnoredAuth, status: Fail, field: "header:Authorization",
			reason: fmt.Sprintf("%s %s without a token answered %d, want 401", strings.ToUpper(o.Method), o.Path, t.Status)}
	}
	return outcome{check: IgnoredAuth, status: Skip, reason: fmt.Sprintf("the request without a token got %d", t.Status)}
}

// leafErrors flattens kin-openapi's multi-errors.
func leafErrors(err error) []error {
	var me openapi3.MultiError
	if errors.As(err, &me) {
		var out []error
		for _, e := range me {
			out = append(out, leafErrors(e)...)
		}
		return out
	}
	var re *openapi3filter.RequestError
	if errors.As(err, &re) && re.Err != nil {
		var inner openapi3.MultiError
		if errors.As(re.Err, &inner) {
			var out []error
			for _, e := range inner {
				out = append(out, &openapi3filter.RequestError{Input: re.Input, Parameter: re.Parameter, RequestBody: re.RequestBody, Reason: re.Reason, Err: e})
			}
			return out
		}
	}
	var rs *openapi3filter.ResponseError
	if errors.As(err, &rs) && rs.Err != nil {
		var inner openapi3.MultiError
		if errors.As(rs.Err, &inner) {
			var out []error
			for _, e := range inner {
				out = append(out, &openapi3filter.ResponseError{Input: rs.Input, Reason: rs.Reason, Err: e})
			}
			return out
		}
	}
	return []error{err}
}

// describeError names the field an error is about and says what is wrong
// with it without quoting the value, which may be a secret.
func describeError(err error) (field, reason string) {
	var re *openapi3filter.RequestError
	if errors.As(err, &re) && re.Parameter != nil {
		field = re.Parameter.In + ":" + re.Parameter.Name
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		ptr := se.JSONPointer()
		if len(ptr) > 0 || field == "" {
			p := "/" + strings.Join(ptr, "/")
			if field != "" {
				field += p
			} else {
				field = p
			}
		}
		reason = se.Reason
		if reason == "" {
			reason = "does not match the schema"
		}
		return field, reason
	}
	var ve *openapi3filter.ValidationError
	if errors.As(err, &ve) {
		return field, ve.Title
	}
	if errors.As(err, &re) {
		if re.Reason != "" {
			reason = re.Reason
		} else if re.Err != nil {
			reason = re.Err.Error()
		}
		if re.RequestBody != nil && field == "" {
			field = "body"
		}
		return field, reason
	}
	var rs *openapi3filter.ResponseError
	if errors.As(err, &rs) {
		reason = rs.Reason
		if rs.Err != nil {
			if reason != "" {
				reason += ": "
			}
			reason += rs.Err.Error()
		}
		if h := headerOf(reason); h != "" {
			field = "header:" + h
		}
		return field, reason
	}
	return "", err.Error()
}

// headerOf finds the header a kin-openapi response error names.
func headerOf(msg string) string {
	for _, marker := range []string{`response header "`, `header "`} {
		if i := strings.Index(msg, marker); i >= 0 {
			rest := msg[i+len(marker):]
			if j := strings.IndexByte(rest, '"'); j > 0 {
				return rest[:j]
			}
		}
	}
	return ""
}

// outcome is one check's verdict, as the shared checks produce it.
type outcome struct {
	check  string
	status Status
	reason string
	field  string
	// err is the validation error behind a failure, for field paths.
	err error
}

// exchangeInput is what the shared response checks look at.
type exchangeInput struct {
	spec       *openapi3.T
	op         op
	req        *http.Request
	pathParams map[string]string
	status     int
	header     http.Header
	body       []byte
	truncated  bool
	strict     bool
	secrets    []string
	red        *Redactor
	// what names the request in messages ("PUT /v2/encryption/key-store").
	what string
}

// responseOutcomes runs the checks that hold for every exchange on a
// response: the runner's conformance and the proxy both use it, so there is
// one implementation of each check.
func responseOutcomes(in exchangeInput) []outcome {
	var out []outcome
	add := func(check string, st Status, reason string) {
		out = append(out, outcome{check: check, status: st, reason: reason})
	}
	if in.status >= 500 {
		add(NotAServerError, Fail, fmt.Sprintf("%s answered %d", in.what, in.status))
	} else {
		add(NotAServerError, Pass, "")
	}
	if len(in.secrets) > 0 {
		if field, leaked := leakedSecret(in.secrets, in.header, in.body); leaked {
			out = append(out, outcome{check: WriteOnlyNeverReturned, status: Fail, field: field,
				reason: fmt.Sprintf("%s returned a value sent in a write-only field (shown as %s)", in.what, redactedText)})
		} else {
			add(WriteOnlyNeverReturned, Pass, "")
		}
	}
	o := in.op
	resp := o.Op.Responses.Status(in.status)
	if resp == nil && in.status >= 400 {
		// A default response documents errors; a success must be listed.
		resp = o.Op.Responses.Default()
	}
	if resp == nil || resp.Value == nil {
		add(StatusCodeConformance, Fail, fmt.Sprintf("status %d is not documented for %s (documented: %s)", in.status, o.ID, strings.Join(documentedStatuses(o.Op), ", ")))
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
		Status:  in.status,
		Header:  in.header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true, ExcludeResponseBody: true},
	}
	input.SetBodyBytes(in.body)
	if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
		out = append(out, outcome{check: ResponseHeadersConformance, status: Fail, reason: in.red.Text(err.Error()), err: err})
	} else if len(resp.Value.Headers) > 0 {
		add(ResponseHeadersConformance, Pass, "")
	} else {
		add(ResponseHeadersConformance, Skip, "no response headers documented")
	}
	if len(in.body) == 0 && !in.truncated {
		if len(resp.Value.Content) > 0 {
			add(ContentTypeConformance, Fail, fmt.Sprintf("status %d documents a body but the response has none", in.status))
		} else {
			add(ContentTypeConformance, Pass, "")
		}
		add(ResponseSchemaConformance, Skip, "empty body")
		return out
	}
	if len(resp.Value.Content) == 0 {
		add(ContentTypeConformance, Fail, fmt.Sprintf("status %d documents no body but the response has %d bytes", in.status, len(in.body)))
		add(ResponseSchemaConformance, Skip, "undocumented body")
		return out
	}
	ct := in.header.Get("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	if resp.Value.Content.Get(mt) == nil {
		out = append(out, outcome{check: ContentTypeConformance, status: Fail, field: "header:Content-Type",
			reason: fmt.Sprintf("Content-Type %q is not documented for status %d", ct, in.status)})
		add(ResponseSchemaConformance, Skip, "undocumented Content-Type")
		return out
	}
	add(ContentTypeConformance, Pass, "")
	if in.truncated {
		add(ResponseSchemaConformance, Skip, "response body too large to check its schema")
		return out
	}
	input.Options = &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}
	input.SetBodyBytes(in.body)
	if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
		out = append(out, outcome{check: ResponseSchemaConformance, status: Fail, reason: fmt.Sprintf("%s: %s", o.ID, in.red.Text(err.Error())), err: err})
		return out
	}
	if in.strict {
		var v any
		if json.Unmarshal(in.body, &v) == nil {
			if extra := undeclared(resp.Value.Content.Get(mt).Schema, v, ""); len(extra) > 0 {
				f := ""
				if len(extra) == 1 {
					f = extra[0]
				}
				out = append(out, outcome{check: ResponseSchemaConformance, status: Fail, field: f,
					reason: fmt.Sprintf("%s: strict: undeclared properties %s", o.ID, strings.Join(extra, ", "))})
				return out
			}
		}
	}
	add(ResponseSchemaConformance, Pass, "")
	return out
}

// leakedSecret finds a value sent as write-only in a response: as a whole
// JSON string or header value, or inside one when the secret is long enough
// not to occur by chance (a password "admin" inside "admin_password" is no
// leak; a private key inside a message is). field is where it was found.
func leakedSecret(secrets []string, header http.Header, body []byte) (field string, found bool) {
	type located struct{ at, val string }
	var values []located
	var v any
	if json.Unmarshal(body, &v) == nil {
		var walk func(v any, ptr string)
		walk = func(v any, ptr string) {
			switch t := v.(type) {
			case string:
				values = append(values, located{ptr, t})
			case map[string]any:
				for _, k := range sortedKeys(t) {
					walk(t[k], ptr+"/"+k)
				}
			case []any:
				for i, e := range t {
					walk(e, fmt.Sprintf("%s/%d", ptr, i))
				}
			}
		}
		walk(v, "")
	} else {
		values = append(values, located{"body", string(body)})
	}
	names := make([]string, 0, len(header))
	for k := range header {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, hv := range header[k] {
			values = append(values, located{"header:" + k, hv})
		}
	}
	for _, secret := range secrets {
		for _, val := range values {
			if val.val == secret || (len(secret) >= minEmbeddedSecret && strings.Contains(val.val, secret)) {
				if val.at == "" {
					val.at = "/"
				}
				return val.at, true
			}
		}
	}
	return "", false
}
