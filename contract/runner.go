package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// Config says what to check and how to reach the server.
type Config struct {
	// Spec is the contract; every operation in it is exercised.
	Spec *openapi3.T
	// BaseURL is the server, e.g. https://cluster:8000.
	BaseURL string
	// HTTPClient sends the requests; it decides TLS trust. Nil means a
	// client with a 30-second timeout.
	HTTPClient *http.Client
	// Username and Password log in through POST /v1/session/login; Token is
	// used as is when set.
	Username, Password, Token string
	// Checks selects checks by name; empty means all.
	Checks []string
	// Seed makes generated values reproducible.
	Seed uint64
	// ReadOnly sends only GET requests (a real cluster without --allow-writes).
	ReadOnly bool
	// Restore saves what writes will touch and puts it back at the end, also
	// after a failure or cancellation (a real cluster with --allow-writes).
	Restore bool
	// Strict makes response_schema_conformance reject undeclared properties.
	Strict bool
	// Progress, when set, receives one line per operation as the run goes.
	Progress func(done, total int, operation string)
}

// Run exercises every operation of the spec against the server and returns
// the report. The error is for setup problems (bad config, failed login);
// check failures are in the report.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Spec == nil {
		return nil, errors.New("contract: no spec")
	}
	if _, err := url.Parse(cfg.BaseURL); err != nil || cfg.BaseURL == "" {
		return nil, fmt.Errorf("contract: bad target URL %q", cfg.BaseURL)
	}
	for _, c := range cfg.Checks {
		if !knownCheck(c) {
			return nil, fmt.Errorf("contract: unknown check %q (see --checks list)", c)
		}
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	r := &runner{cfg: cfg, red: NewRedactor(), gen: newGenerator(cfg.Seed), saved: map[string][]byte{}}
	r.red.Add(cfg.Password)
	r.red.Add(cfg.Token)
	r.token = cfg.Token
	r.report = &Report{Target: r.red.Text(cfg.BaseURL), Seed: cfg.Seed, Started: time.Now().UTC(), Strict: cfg.Strict, ReadOnly: cfg.ReadOnly}
	for _, c := range Checks {
		if r.enabled(c.Name) {
			r.report.Checks = append(r.report.Checks, c)
		}
	}
	if r.token == "" && cfg.Username != "" {
		if err := r.login(ctx); err != nil {
			return nil, err
		}
	}
	ops := operations(cfg.Spec)
	defer func() {
		if cfg.Restore {
			r.restore(context.WithoutCancel(ctx))
		}
	}()
	for i, op := range ops {
		if err := ctx.Err(); err != nil {
			r.report.Interrupted = true
			break
		}
		if cfg.Progress != nil {
			cfg.Progress(i, len(ops), op.ID)
		}
		r.operation(ctx, op)
	}
	if ctx.Err() != nil {
		r.report.Interrupted = true
	}
	if cfg.Progress != nil && !r.report.Interrupted {
		cfg.Progress(len(ops), len(ops), "")
	}
	r.report.Duration = Duration(time.Since(r.report.Started))
	r.report.finish()
	return r.report, nil
}

type runner struct {
	cfg    Config
	red    *Redactor
	gen    *generator
	token  string
	report *Report
	// sentSecrets are write-only values sent so far, checked against every
	// later response.
	sentSecrets []string
	saved       map[string][]byte
	savedOrder  []string
}

func (r *runner) enabled(check string) bool {
	if len(r.cfg.Checks) == 0 {
		return true
	}
	for _, c := range r.cfg.Checks {
		if c == check {
			return true
		}
	}
	return false
}

// op is one operation of the spec.
type op struct {
	ID, Method, Path string
	Item             *openapi3.PathItem
	Op               *openapi3.Operation
}

func operations(doc *openapi3.T) []op {
	var out []op
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for method, o := range item.Operations() {
			id := o.OperationID
			if id == "" {
				id = method + " " + path
			}
			out = append(out, op{ID: id, Method: method, Path: path, Item: item, Op: o})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Method < out[j].Method
	})
	return out
}

// request is what the runner sends.
type request struct {
	method, path string
	pathParams   map[string]string
	query        url.Values
	header       http.Header
	body         []byte
	auth         string // "token", "none" or "wrong"
	op           *op
}

// sent is a request with its response.
type sent struct {
	req    request
	httpRq *http.Request
	status int
	header http.Header
	body   []byte
	ex     *Exchange // redacted, for reports
}

func (r *runner) login(ctx context.Context) error {
	body, _ := json.Marshal(map[string]string{"username": r.cfg.Username, "password": r.cfg.Password})
	s, err := r.send(ctx, request{method: http.MethodPost, path: "/v1/session/login", body: body, auth: "none"})
	if err != nil {
		hint := ""
		if strings.Contains(err.Error(), "certificate") {
			hint = " (trust the cluster's certificate with QUMULO_CA_CERT=FILE, or skip verification with QUMULO_INSECURE=1)"
		}
		return fmt.Errorf("contract: log in to %s: %w%s", r.red.Text(r.cfg.BaseURL), err, hint)
	}
	if s.status != http.StatusOK {
		return fmt.Errorf("contract: log in to %s as %q: status %d: %s", r.red.Text(r.cfg.BaseURL), r.cfg.Username, s.status, s.ex.ResponseBody)
	}
	var cred struct {
		BearerToken string `json:"bearer_token"`
	}
	if err := json.Unmarshal(s.body, &cred); err != nil || cred.BearerToken == "" {
		return fmt.Errorf("contract: log in to %s: no bearer_token in the answer", r.red.Text(r.cfg.BaseURL))
	}
	r.token = cred.BearerToken
	r.red.Add(r.token)
	return nil
}

var pathParamRe = regexp.MustCompile(`\{([^{}]+)\}`)

func (r *runner) send(ctx context.Context, rq request) (*sent, error) {
	path := pathParamRe.ReplaceAllStringFunc(rq.path, func(m string) string {
		return url.PathEscape(rq.pathParams[m[1:len(m)-1]])
	})
	u := strings.TrimRight(r.cfg.BaseURL, "/") + path
	if len(rq.query) > 0 {
		u += "?" + rq.query.Encode()
	}
	var body io.Reader
	if rq.body != nil {
		body = bytes.NewReader(rq.body)
	}
	hr, err := http.NewRequestWithContext(ctx, strings.ToUpper(rq.method), u, body)
	if err != nil {
		return nil, err
	}
	for k, vs := range rq.header {
		hr.Header[k] = vs
	}
	if rq.body != nil && hr.Header.Get("Content-Type") == "" {
		hr.Header.Set("Content-Type", "application/json")
	}
	hr.Header.Set("Accept", "application/json")
	switch rq.auth {
	case "token":
		if r.token != "" {
			hr.Header.Set("Authorization", "Bearer "+r.token)
		}
	case "wrong":
		hr.Header.Set("Authorization", "Bearer session-v1:qapi-wrong-token")
	}
	ex := &Exchange{Method: hr.Method, URL: r.red.Text(u), RequestHeader: r.red.Header(hr.Header)}
	if rq.body != nil {
		ex.RequestBody = r.red.Body(rq.body)
	}
	start := time.Now()
	resp, err := r.cfg.HTTPClient.Do(hr)
	r.report.Requests++
	if err != nil {
		ex.Error = r.red.Text(err.Error())
		return nil, errors.New(ex.Error)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	ex.Duration = Duration(time.Since(start))
	if err != nil {
		return nil, fmt.Errorf("read response: %w", err)
	}
	ex.Status = resp.StatusCode
	ex.ResponseHeader = r.red.Header(resp.Header)
	ex.ResponseBody = r.red.Body(data)
	hr.Body = io.NopCloser(bytes.NewReader(rq.body))
	return &sent{req: rq, httpRq: hr, status: resp.StatusCode, header: resp.Header, body: data, ex: ex}, nil
}

// operation runs every enabled check for one operation.
func (r *runner) operation(ctx context.Context, o op) {
	res := r.report.operation(o)
	if r.cfg.ReadOnly && o.Method != http.MethodGet {
		for _, c := range r.report.Checks {
			res.skip(c.Name, "read-only target: writes need --allow-writes")
		}
		return
	}
	if o.Method == http.MethodPost && o.Path == "/v1/session/login" && r.cfg.Username != "" {
		r.loginOperation(ctx, o, res)
		return
	}
	variants := r.validRequests(o)
	rq := variants[0]
	if r.cfg.Restore && o.Method != http.MethodGet {
		r.save(ctx, o, rq)
	}
	for _, v := range variants {
		s, err := r.send(ctx, v)
		if err != nil {
			res.fail(NotAServerError, "no response: "+err.Error(), nil)
			return
		}
		r.conformance(res, o, s)
		if s.status < 300 {
			r.roundTrip(ctx, o, v, s, res)
		} else {
			res.skip(StatefulRoundTrip, fmt.Sprintf("the valid request got %d", s.status))
		}
		r.negative(ctx, o, v, res)
	}
	r.auth(ctx, o, rq, res)
	r.etag(ctx, o, rq, res)
	if len(r.sentSecrets) == 0 {
		res.skip(WriteOnlyNeverReturned, "no write-only value sent yet")
	}
}

// loginOperation checks the login operation with the configured user rather
// than with generated credentials, which would only get 401s.
func (r *runner) loginOperation(ctx context.Context, o op, res *opResult) {
	body, _ := json.Marshal(map[string]string{"username": r.cfg.Username, "password": r.cfg.Password})
	rq := request{method: o.Method, path: o.Path, body: body, auth: "none", op: &o}
	r.sentSecrets = appendUnique(r.sentSecrets, r.cfg.Password)
	s, err := r.send(ctx, rq)
	if err != nil {
		res.fail(NotAServerError, "no response: "+err.Error(), nil)
		return
	}
	r.conformance(res, o, s)
	var cred struct {
		BearerToken string `json:"bearer_token"`
	}
	if json.Unmarshal(s.body, &cred) == nil && cred.BearerToken != "" {
		r.red.Add(cred.BearerToken)
	}
	r.negative(ctx, o, rq, res)
	res.skip(IgnoredAuth, "the operation requires no security")
	res.skip(StatefulRoundTrip, "login creates no readable resource")
	res.skip(EtagRespected, "the operation takes no If-Match")
}

func appendUnique(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}

// validRequests builds requests the spec accepts: one, or one per arm when
// the body is a union, so every arm is exercised.
func (r *runner) validRequests(o op) []request {
	base := r.validRequest(o)
	schema := requestSchema(o.Op)
	if schema == nil || schema.Value == nil || len(schema.Value.OneOf) < 2 {
		return []request{base}
	}
	var out []request
	for _, v := range r.gen.arms(schema.Value, true) {
		rq := base
		r.collectSecrets(schema, v)
		rq.body = mustJSON(v)
		out = append(out, rq)
	}
	return out
}

// validRequest builds a request the spec accepts.
func (r *runner) validRequest(o op) request {
	rq := request{method: o.Method, path: o.Path, pathParams: map[string]string{}, query: url.Values{}, header: http.Header{}, auth: "token", op: &o}
	params := append(openapi3.Parameters{}, o.Item.Parameters...)
	params = append(params, o.Op.Parameters...)
	for _, pr := range params {
		p := pr.Value
		if p == nil {
			continue
		}
		v := fmt.Sprint(r.gen.value(p.Schema, true, 0))
		switch p.In {
		case openapi3.ParameterInPath:
			rq.pathParams[p.Name] = v
		case openapi3.ParameterInQuery:
			if p.Required {
				rq.query.Set(p.Name, v)
			}
		case openapi3.ParameterInHeader:
			if p.Required && !strings.EqualFold(p.Name, "If-Match") {
				rq.header.Set(p.Name, v)
			}
		}
	}
	if schema := requestSchema(o.Op); schema != nil {
		v := r.gen.value(schema, true, 0)
		r.collectSecrets(schema, v)
		rq.body, _ = json.Marshal(v)
	}
	return rq
}

func requestSchema(o *openapi3.Operation) *openapi3.SchemaRef {
	if o.RequestBody == nil || o.RequestBody.Value == nil {
		return nil
	}
	mt := o.RequestBody.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return nil
	}
	return mt.Schema
}

// collectSecrets remembers the values sent in writeOnly or password fields
// and teaches the redactor to hide them.
func (r *runner) collectSecrets(ref *openapi3.SchemaRef, v any) {
	for _, secret := range writeOnlyValues(ref, v, nil) {
		r.sentSecrets = appendUnique(r.sentSecrets, secret)
		r.red.addWriteOnly(secret)
	}
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// conformance runs the checks that hold for every exchange; the checks
// themselves live in exchange_check.go, shared with Checker.
func (r *runner) conformance(res *opResult, o op, s *sent) {
	outs := responseOutcomes(exchangeInput{
		spec: r.cfg.Spec, op: o, req: s.httpRq, pathParams: s.req.pathParams,
		status: s.status, header: s.header, body: s.body,
		strict: r.cfg.Strict, secrets: r.sentSecrets, red: r.red, what: describe(s.req),
	})
	for _, oc := range outs {
		switch oc.status {
		case Pass:
			res.pass(oc.check)
		case Fail:
			res.fail(oc.check, oc.reason, s.ex)
		case Skip:
			res.skip(oc.check, oc.reason)
		}
	}
}

func documentedStatuses(o *openapi3.Operation) []string {
	return sortedKeys(o.Responses.Map())
}

// undeclared lists JSON pointers of object properties the schema does not
// declare, where the schema does not allow extra properties explicitly.
func undeclared(ref *openapi3.SchemaRef, v any, ptr string) []string {
	if ref == nil || ref.Value == nil {
		return nil
	}
	s := resolveArm(ref.Value, v)
	var out []string
	switch t := v.(type) {
	case map[string]any:
		explicit := s.AdditionalProperties.Has != nil && *s.AdditionalProperties.Has || s.AdditionalProperties.Schema != nil
		if len(s.Properties) == 0 {
			return nil
		}
		for _, k := range sortedKeys(t) {
			p, ok := s.Properties[k]
			if !ok {
				if !explicit {
					out = append(out, ptr+"/"+k)
				}
				continue
			}
			out = append(out, undeclared(p, t[k], ptr+"/"+k)...)
		}
	case []any:
		for i, e := range t {
			out = append(out, undeclared(s.Items, e, fmt.Sprintf("%s/%d", ptr, i))...)
		}
	}
	return out
}

// minEmbeddedSecret is the length from which a secret found inside a longer
// value counts as leaked.
const minEmbeddedSecret = 12

func describe(rq request) string {
	return strings.ToUpper(rq.method) + " " + rq.path
}

// negative sends invalid bodies and expects 4xx.
func (r *runner) negative(ctx context.Context, o op, valid request, res *opResult) {
	schema := requestSchema(o.Op)
	if schema == nil || valid.body == nil {
		res.skip(NegativeDataRejection, "the operation takes no JSON body")
		return
	}
	var v any
	_ = json.Unmarshal(valid.body, &v)
	for _, m := range mutations(schema, v) {
		rq := valid
		rq.body = m.body
		s, err := r.send(ctx, rq)
		if err != nil {
			res.fail(NotAServerError, "no response to an invalid request: "+err.Error(), nil)
			continue
		}
		r.conformance(res, o, s)
		if s.status < 400 || s.status >= 500 {
			res.fail(NegativeDataRejection, fmt.Sprintf("%s with %s answered %d, want 4xx", describe(rq), m.name, s.status), s.ex)
			continue
		}
		res.pass(NegativeDataRejection)
	}
}

// auth sends the valid request without a token and with a wrong one.
func (r *runner) auth(ctx context.Context, o op, valid request, res *opResult) {
	sec := o.Op.Security
	if sec == nil {
		sec = &r.cfg.Spec.Security
	}
	if len(*sec) == 0 {
		res.skip(IgnoredAuth, "the operation requires no security")
		return
	}
	for _, mode := range []string{"none", "wrong"} {
		rq := valid
		rq.auth = mode
		s, err := r.send(ctx, rq)
		if err != nil {
			res.fail(NotAServerError, "no response: "+err.Error(), nil)
			continue
		}
		r.conformance(res, o, s)
		if s.status != http.StatusUnauthorized && s.status != http.StatusForbidden {
			what := "without a token"
			if mode == "wrong" {
				what = "with a wrong token"
			}
			res.fail(IgnoredAuth, fmt.Sprintf("%s %s answered %d, want 401", describe(rq), what, s.status), s.ex)
			continue
		}
		res.pass(IgnoredAuth)
	}
}

// readOf finds the GET on the same path.
func (r *runner) readOf(o op) *op {
	if o.Item.Get == nil {
		return nil
	}
	return &op{ID: o.Item.Get.OperationID, Method: http.MethodGet, Path: o.Path, Item: o.Item, Op: o.Item.Get}
}

// roundTrip checks that a successful write shows in the next read.
func (r *runner) roundTrip(ctx context.Context, o op, rq request, s *sent, res *opResult) {
	switch o.Method {
	case http.MethodPut, http.MethodPatch:
		get := r.readOf(o)
		if get == nil || rq.body == nil {
			res.skip(StatefulRoundTrip, "no GET on the same path to read the write back")
			return
		}
		if responseSchema(get.Op) == nil {
			res.skip(StatefulRoundTrip, "the GET on the same path documents no JSON body")
			return
		}
		read, err := r.send(ctx, request{method: http.MethodGet, path: o.Path, pathParams: rq.pathParams, query: url.Values{}, auth: "token", op: get})
		if err != nil {
			res.fail(NotAServerError, "no response: "+err.Error(), nil)
			return
		}
		r.conformance(res, *get, read)
		if read.status >= 300 {
			res.fail(StatefulRoundTrip, fmt.Sprintf("%s answered %d after a successful %s", describe(read.req), read.status, describe(rq)), read.ex)
			return
		}
		var sentV, got any
		_ = json.Unmarshal(rq.body, &sentV)
		if err := json.Unmarshal(read.body, &got); err != nil {
			res.fail(StatefulRoundTrip, "the read after the write is not JSON", read.ex)
			return
		}
		if diff := visible(sentV, got, responseSchema(get.Op), ""); diff != "" {
			res.fail(StatefulRoundTrip, fmt.Sprintf("%s does not show the %s: %s", describe(read.req), describe(rq), diff), read.ex)
			return
		}
		res.pass(StatefulRoundTrip)
	case http.MethodPost:
		r.useAfterFree(ctx, o, s, res)
	default:
		res.skip(StatefulRoundTrip, "not a write")
	}
}

func responseSchema(o *openapi3.Operation) *openapi3.SchemaRef {
	for _, code := range []int{200, 201, 202} {
		if resp := o.Responses.Status(code); resp != nil && resp.Value != nil {
			if mt := resp.Value.Content.Get("application/json"); mt != nil {
				return mt.Schema
			}
		}
	}
	return nil
}

// visible reports the first field of the sent value that the read does not
// show; fields the read's schema does not carry, or that are write-only,
// are not compared.
func visible(sentV, got any, ref *openapi3.SchemaRef, ptr string) string {
	var s *openapi3.Schema
	if ref != nil && ref.Value != nil {
		s = resolveArm(ref.Value, got)
	}
	sm, ok1 := sentV.(map[string]any)
	gm, ok2 := got.(map[string]any)
	if ok1 && ok2 {
		for _, k := range sortedKeys(sm) {
			var p *openapi3.SchemaRef
			if s != nil {
				var declared bool
				p, declared = s.Properties[k]
				if !declared && len(s.Properties) > 0 {
					continue
				}
				if p != nil && p.Value != nil && writeOnly(p.Value) {
					continue
				}
			}
			gv, present := gm[k]
			if !present {
				return fmt.Sprintf("%s/%s is missing", ptr, k)
			}
			if d := visible(sm[k], gv, p, ptr+"/"+k); d != "" {
				return d
			}
		}
		return ""
	}
	if sf, ok := toFloat(sentV); ok {
		if gf, ok := toFloat(got); ok && sf == gf {
			return ""
		}
	}
	if !reflect.DeepEqual(sentV, got) {
		return fmt.Sprintf("%s differs", ptr)
	}
	return ""
}

func toFloat(v any) (float64, bool) {
	f, ok := v.(float64)
	return f, ok
}

// useAfterFree follows a POST on a collection: the created item reads back,
// deletes, and then answers 404.
func (r *runner) useAfterFree(ctx context.Context, o op, created *sent, res *opResult) {
	itemPath, param := r.itemPath(o.Path)
	if itemPath == "" {
		res.skip(StatefulRoundTrip, "no item path with GET and DELETE under this collection")
		return
	}
	var body map[string]any
	_ = json.Unmarshal(created.body, &body)
	id, _ := body["id"].(string)
	if id == "" {
		if v, ok := body[param]; ok {
			id = fmt.Sprint(v)
		}
	}
	if id == "" {
		res.skip(StatefulRoundTrip, "the create answer carries no id")
		return
	}
	item := r.cfg.Spec.Paths.Value(itemPath)
	get := op{ID: item.Get.OperationID, Method: http.MethodGet, Path: itemPath, Item: item, Op: item.Get}
	del := op{ID: item.Delete.OperationID, Method: http.MethodDelete, Path: itemPath, Item: item, Op: item.Delete}
	params := map[string]string{param: id}
	steps := []struct {
		o    op
		want func(int) bool
		what string
	}{
		{get, func(c int) bool { return c < 300 }, "the created item reads back"},
		{del, func(c int) bool { return c < 300 }, "the created item deletes"},
		{get, func(c int) bool { return c == http.StatusNotFound }, "use_after_free: the deleted item answers 404"},
	}
	for _, st := range steps {
		s, err := r.send(ctx, request{method: st.o.Method, path: itemPath, pathParams: params, auth: "token", op: &st.o})
		if err != nil {
			res.fail(NotAServerError, "no response: "+err.Error(), nil)
			return
		}
		r.conformance(res, st.o, s)
		if !st.want(s.status) {
			res.fail(StatefulRoundTrip, fmt.Sprintf("%s: %s answered %d", st.what, describe(s.req), s.status), s.ex)
			return
		}
	}
	res.pass(StatefulRoundTrip)
}

// itemPath finds {collection}/{param} (or {collection}{param} when the
// collection path ends in a slash) with GET and DELETE.
func (r *runner) itemPath(collection string) (string, string) {
	prefix := strings.TrimRight(collection, "/") + "/{"
	for _, p := range r.cfg.Spec.Paths.InMatchingOrder() {
		if !strings.HasPrefix(p, prefix) || strings.Count(p[len(prefix):], "/") > 0 || !strings.HasSuffix(p, "}") {
			continue
		}
		item := r.cfg.Spec.Paths.Value(p)
		if item.Get != nil && item.Delete != nil {
			return p, p[len(prefix) : len(p)-1]
		}
	}
	return "", ""
}

// etag sends the write with a stale If-Match and expects 412.
func (r *runner) etag(ctx context.Context, o op, valid request, res *opResult) {
	takes := false
	for _, p := range append(append(openapi3.Parameters{}, o.Item.Parameters...), o.Op.Parameters...) {
		if p.Value != nil && p.Value.In == openapi3.ParameterInHeader && strings.EqualFold(p.Value.Name, "If-Match") {
			takes = true
		}
	}
	if !takes {
		res.skip(EtagRespected, "the operation takes no If-Match")
		return
	}
	current := ""
	if get := r.readOf(o); get != nil {
		if s, err := r.send(ctx, request{method: http.MethodGet, path: o.Path, pathParams: valid.pathParams, auth: "token", op: get}); err == nil {
			current = s.header.Get("ETag")
		}
	}
	if current == "" {
		res.skip(EtagRespected, "the resource's GET answers no ETag")
		return
	}
	rq := valid
	rq.header = valid.header.Clone()
	rq.header.Set("If-Match", `"qapi-stale-etag"`)
	s, err := r.send(ctx, rq)
	if err != nil {
		res.fail(NotAServerError, "no response: "+err.Error(), nil)
		return
	}
	r.conformance(res, o, s)
	if s.status != http.StatusPreconditionFailed {
		res.fail(EtagRespected, fmt.Sprintf("%s with a stale If-Match (current ETag %s) answered %d, want 412", describe(rq), current, s.status), s.ex)
		return
	}
	res.pass(EtagRespected)
}

// save remembers the state a write will change, once per path.
func (r *runner) save(ctx context.Context, o op, rq request) {
	key := pathParamRe.ReplaceAllStringFunc(o.Path, func(m string) string { return rq.pathParams[m[1:len(m)-1]] })
	if _, done := r.saved[key]; done || o.Item.Get == nil || o.Item.Put == nil {
		return
	}
	s, err := r.send(ctx, request{method: http.MethodGet, path: o.Path, pathParams: rq.pathParams, auth: "token"})
	if err != nil || s.status != http.StatusOK {
		return
	}
	put := op{Method: http.MethodPut, Path: o.Path, Item: o.Item, Op: o.Item.Put}
	var v any
	if json.Unmarshal(s.body, &v) != nil {
		return
	}
	body := mustJSON(project(v, requestSchema(put.Op)))
	r.saved[key] = body
	r.savedOrder = append(r.savedOrder, key)
	r.report.saves = append(r.report.saves, saved{path: o.Path, params: rq.pathParams, body: body})
}

// restore puts saved state back, newest first.
func (r *runner) restore(ctx context.Context) {
	for i := len(r.report.saves) - 1; i >= 0; i-- {
		sv := r.report.saves[i]
		s, err := r.send(ctx, request{method: http.MethodPut, path: sv.path, pathParams: sv.params, body: sv.body, auth: "token"})
		switch {
		case err != nil:
			r.report.RestoreErrors = append(r.report.RestoreErrors, fmt.Sprintf("PUT %s: %v", sv.path, err))
		case s.status >= 300:
			r.report.RestoreErrors = append(r.report.RestoreErrors, fmt.Sprintf("PUT %s: status %d", sv.path, s.status))
		default:
			r.report.Restored = append(r.report.Restored, sv.path)
		}
	}
}

// project keeps the parts of a read value that the write schema accepts.
func project(v any, ref *openapi3.SchemaRef) any {
	if ref == nil || ref.Value == nil {
		return v
	}
	s := resolveArm(ref.Value, v)
	if len(ref.Value.OneOf) > 0 && s == ref.Value {
		return v
	}
	switch t := v.(type) {
	case map[string]any:
		if len(s.Properties) == 0 {
			return t
		}
		out := map[string]any{}
		for k, e := range t {
			if p, ok := s.Properties[k]; ok && (p.Value == nil || !p.Value.ReadOnly) {
				out[k] = project(e, p)
			}
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = project(e, s.Items)
		}
		return out
	}
	return v
}
