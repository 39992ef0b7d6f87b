package contract

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/qapitools/qapi/check"
	"github.com/qapitools/qapi/internal/oas"
	"github.com/qapitools/qapi/redact"
	"github.com/qapitools/qapi/report"
)

// Config says what to check and how to reach the server.
type Config struct {
	// Spec is the contract; every operation in it is exercised.
	Spec *openapi3.T
	// BaseURL is the server, e.g. https://cluster:8000.
	BaseURL string
	// HTTPClient sends the requests; it decides TLS trust. Nil means a
	// client with a 30-second timeout that follows no redirect.
	HTTPClient *http.Client
	// Username and Password log in through POST /v1/session/login; Token is
	// used as is when set.
	Username, Password, Token string
	// Checks selects checks by name; empty means all.
	Checks []string
	// Seed makes generated values reproducible.
	Seed uint64
	// Access says which operations may be sent (see Safety); the zero
	// value is ReadOnly. With AllowWrites or AllowDisruptive every change
	// is journalled before it is sent and undone at the end, also after a
	// failure or cancellation.
	Access Access
	// Journal is the file the journal is kept in, so that `qapi contract
	// --restore` can undo a run that was killed; empty keeps it in memory.
	// An existing file is refused.
	Journal string
	// Timeout bounds the whole run (zero: no bound); RequestTimeout bounds
	// each request (zero: 30 s); RestoreTimeout bounds putting back what
	// the run changed, on top of Timeout (zero: 5 minutes).
	Timeout, RequestTimeout, RestoreTimeout time.Duration
	// MaxTransportFailures stops the run after that many requests in a row
	// got no answer (zero: 5): a cluster that is down is not asked
	// thousands of times.
	MaxTransportFailures int
	// MaxResponseBytes bounds what is read of one answer (zero: 16 MiB); the
	// schema of a longer one is not checked, and reports say so.
	MaxResponseBytes int
	// Strict makes response_schema_conformance reject undeclared properties.
	Strict bool
	// Progress, when set, receives one line per operation as the run goes.
	Progress func(done, total int, operation string)
}

// Access is what a run may change on its target.
type Access int

// What a run may send, from least to most.
const (
	// ReadOnly sends GET and HEAD only, and the run's own login.
	ReadOnly Access = iota
	// AllowWrites also sends Read POSTs and Reversible operations,
	// journalled and put back.
	AllowWrites
	// AllowDisruptive sends every operation; what it cannot put back is
	// listed as not restored.
	AllowDisruptive
	// Twin sends every operation, with nothing journalled: the target is a
	// twin made for the run (the embedded mock).
	Twin
)

func (a Access) String() string {
	switch a {
	case ReadOnly:
		return "read-only"
	case AllowWrites:
		return "reversible writes"
	case AllowDisruptive:
		return "all writes"
	case Twin:
		return "twin"
	}
	return fmt.Sprintf("Access(%d)", int(a))
}

// Defaults of the bounds in Config.
const (
	DefaultRequestTimeout       = 30 * time.Second
	DefaultRestoreTimeout       = 5 * time.Minute
	DefaultMaxTransportFailures = 5
	DefaultMaxResponseBytes     = 16 << 20
)

// Run exercises every operation of the spec against the server and returns
// the report. The error is for setup problems (bad config, failed login);
// check failures are in the report.
func Run(ctx context.Context, cfg Config) (*report.Report, error) {
	if cfg.Spec == nil {
		return nil, errors.New("contract: no spec")
	}
	if _, err := url.Parse(cfg.BaseURL); err != nil || cfg.BaseURL == "" {
		return nil, fmt.Errorf("contract: bad target URL %q", cfg.BaseURL)
	}
	for _, c := range cfg.Checks {
		if !check.Known(c) {
			return nil, fmt.Errorf("contract: unknown check %q (see --list)", c)
		}
	}
	cfg = withDefaults(cfg)
	r, err := newRunner(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, cfg.Timeout, fmt.Errorf("the run took longer than its timeout (%s)", cfg.Timeout))
		defer cancel()
	}
	defer r.finish()
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	r.stop = stop
	if cfg.Access != Twin {
		if r.journal, err = newJournal(cfg.Journal, r.red.Text(cfg.BaseURL)); err != nil {
			return nil, fmt.Errorf("contract: %w", err)
		}
		defer r.undoAll(ctx)
	}
	if r.token == "" && cfg.Username != "" {
		if err := r.login(ctx); err != nil {
			return nil, err
		}
	}
	r.learnNames(ctx)
	ops := operations(cfg.Spec)
	for i, o := range ops {
		if ctx.Err() != nil {
			break
		}
		if cfg.Progress != nil {
			cfg.Progress(i, len(ops), o.ID)
		}
		r.operation(ctx, o)
	}
	r.report.Interrupted = ctx.Err() != nil
	if r.report.Interrupted {
		r.report.StopReason = r.red.Text(context.Cause(ctx).Error())
	}
	if cfg.Progress != nil && !r.report.Interrupted {
		cfg.Progress(len(ops), len(ops), "")
	}
	return r.report, nil
}

// finish settles the report once the run and its undoing are over.
func (r *runner) finish() {
	r.report.Duration = report.Duration(time.Since(r.report.Started))
	r.report.Finish()
}

func withDefaults(cfg Config) Config {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second, CheckRedirect: refuseRedirects}
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.RestoreTimeout <= 0 {
		cfg.RestoreTimeout = DefaultRestoreTimeout
	}
	if cfg.MaxTransportFailures <= 0 {
		cfg.MaxTransportFailures = DefaultMaxTransportFailures
	}
	if cfg.MaxResponseBytes <= 0 {
		cfg.MaxResponseBytes = DefaultMaxResponseBytes
	}
	return cfg
}

func newRunner(cfg Config) (*runner, error) {
	red := redact.New()
	checker, err := check.NewChecker(cfg.Spec, check.WithStrict(cfg.Strict), check.WithRedactor(red))
	if err != nil {
		return nil, fmt.Errorf("contract: %w", err)
	}
	r := &runner{cfg: cfg, red: red, checker: checker, gen: oas.NewGenerator(cfg.Seed, "", oas.Request),
		items: map[string]string{}, pathValues: map[string]string{}, named: map[string]map[string]any{},
		classes: map[string]classified{}, ours: map[string]bool{}, saved: map[string]bool{}}
	for _, c := range classifyAll(cfg.Spec) {
		r.classes[c.Method+" "+c.Path] = c
	}
	red.Add(cfg.Password)
	red.Add(cfg.Token)
	r.token = cfg.Token
	r.report = &report.Report{Target: red.Text(cfg.BaseURL), Seed: cfg.Seed, Started: time.Now().UTC(), Strict: cfg.Strict,
		ReadOnly: cfg.Access == ReadOnly, Access: cfg.Access.String()}
	for _, c := range check.Active() {
		if len(cfg.Checks) == 0 || slices.Contains(cfg.Checks, c.Name) {
			r.report.Checks = append(r.report.Checks, c)
		}
	}
	return r, nil
}

// refuseRedirects keeps credentials on the host they were meant for.
func refuseRedirects(*http.Request, []*http.Request) error {
	return errors.New("the suite does not follow redirects")
}

type runner struct {
	cfg     Config
	red     *redact.Redactor
	checker *check.Checker
	gen     *oas.Generator
	token   string
	report  *report.Report
	// items are the ids of the items created for operations to act on, by
	// collection path.
	items map[string]string
	// classes are the operations' safety classes, by "METHOD path".
	classes map[string]classified
	// journal records what the run changed (nil on a twin); ours are the
	// items the run created, by filled item path; saved are the paths
	// whose state the journal holds.
	journal *journal
	ours    map[string]bool
	saved   map[string]bool
	// notSaved are changes about to be sent that the journal cannot undo,
	// with the reason, by "METHOD filled-path".
	notSaved map[string]string
	// failures counts the requests in a row that got no answer; stop ends
	// the run with its cause.
	failures int
	stop     context.CancelCauseFunc
	// pathValues are the values path parameters have, by name.
	pathValues map[string]string
	// renames counts the names the run made up for creates refused as
	// taken (see renamed), and named holds them by the item they went to.
	renames int
	named   map[string]map[string]any
}

// methodOrder runs a path's reads before its writes and its DELETE last,
// so a DELETE does not leave the other operations of a singleton (a
// keytab, a certificate) only a 404 to check.
var methodOrder = map[string]int{http.MethodGet: 0, http.MethodPost: 1, http.MethodPut: 2, http.MethodPatch: 3, http.MethodDelete: 5}

// methodRank places a method in methodOrder; others go before DELETE.
func methodRank(m string) int {
	if r, ok := methodOrder[m]; ok {
		return r
	}
	return 4
}

// operations lists the operations of doc by path, then method (see
// methodOrder).
func operations(doc *openapi3.T) []check.Operation {
	var out []check.Operation
	for path, item := range doc.Paths.Map() {
		for method, o := range item.Operations() {
			id := o.OperationID
			if id == "" {
				id = method + " " + path
			}
			out = append(out, check.Operation{ID: id, Method: method, Path: path, Item: item, Op: o})
		}
	}
	slices.SortFunc(out, func(a, b check.Operation) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(methodRank(a.Method), methodRank(b.Method)), strings.Compare(a.Method, b.Method))
	})
	return out
}

// Ways a request authenticates.
const (
	authToken = "token"
	authNone  = "none"
	authWrong = "wrong"
)

// request is what the runner sends.
type request struct {
	method, path string
	pathParams   map[string]string
	query        url.Values
	header       http.Header
	body         []byte
	auth         string
	op           *check.Operation
	// login marks the run's own login, which even a read-only run sends;
	// undo marks a request that puts back what the run changed.
	login, undo bool
}

// sent is a request with its response.
type sent struct {
	req     request
	traffic check.Traffic
	ex      *report.Exchange // redacted, for reports
}

func (s *sent) status() int { return s.traffic.Status }

func (r *runner) login(ctx context.Context) error {
	body, _ := json.Marshal(map[string]string{"username": r.cfg.Username, "password": r.cfg.Password})
	s, err := r.send(ctx, request{method: http.MethodPost, path: "/v1/session/login", body: body, auth: authNone, login: true})
	if err != nil {
		hint := ""
		if strings.Contains(err.Error(), "certificate") {
			hint = " (trust the cluster's certificate with QUMULO_CA_CERT=FILE, or skip verification with QUMULO_INSECURE=1)"
		}
		return fmt.Errorf("contract: log in to %s: %w%s", r.red.Text(r.cfg.BaseURL), err, hint)
	}
	if s.status() != http.StatusOK {
		return fmt.Errorf("contract: log in to %s as %q: status %d: %s", r.red.Text(r.cfg.BaseURL), r.cfg.Username, s.status(), s.ex.ResponseBody)
	}
	var cred struct {
		BearerToken string `json:"bearer_token"`
	}
	if err := json.Unmarshal(s.traffic.Body, &cred); err != nil || cred.BearerToken == "" {
		return fmt.Errorf("contract: log in to %s: no bearer_token in the answer", r.red.Text(r.cfg.BaseURL))
	}
	r.token = cred.BearerToken
	r.red.Add(r.token)
	return nil
}

// learnNames makes the bodies that name what must exist name what does:
// a user (an access key's, an access token's, a role's member) is the one
// the run logged in as, by the auth id who-am-i answers, and a directory
// to snapshot is the root, by the file id its attributes answer. A made-up
// one names nothing on a cluster.
func (r *runner) learnNames(ctx context.Context) {
	if r.token == "" {
		return
	}
	names := map[string]string{}
	for _, learn := range []struct{ name, path, ref string }{
		{"auth_id", "/v1/session/who-am-i", ""},
		{"source_file_id", "/v1/files/{ref}/info/attributes", "/"},
	} {
		if r.cfg.Spec.Paths.Value(learn.path) == nil {
			continue
		}
		rq := request{method: http.MethodGet, path: learn.path, auth: authToken}
		if learn.ref != "" {
			rq.pathParams = map[string]string{"ref": learn.ref}
		}
		s, err := r.send(ctx, rq)
		var got struct {
			ID string `json:"id"`
		}
		if err == nil && s.status() == http.StatusOK && json.Unmarshal(s.traffic.Body, &got) == nil && got.ID != "" {
			names[learn.name] = got.ID
		}
	}
	if len(names) > 0 {
		r.gen.Names = names
	}
}

// send is the one place requests leave: it refuses what the run may not
// send (see permit), journals a change before it is sent, lets a change in
// flight finish when the run is interrupted (so that its outcome is
// journalled), bounds each request in time, and stops the run after
// MaxTransportFailures requests in a row got no answer.
func (r *runner) send(ctx context.Context, rq request) (*sent, error) {
	if err := r.permit(ctx, rq); err != nil {
		return nil, err
	}
	write := isWrite(rq.method) && !rq.undo && !rq.login && r.journal != nil
	var pending int
	if write {
		var err error
		if pending, err = r.journalBefore(ctx, rq); err != nil {
			return nil, err
		}
	}
	reqCtx := ctx
	if write {
		reqCtx = context.WithoutCancel(ctx)
	}
	reqCtx, cancel := context.WithTimeout(reqCtx, r.cfg.RequestTimeout)
	defer cancel()
	s, err := r.do(reqCtx, rq)
	if write {
		r.journalAfter(rq, s, err, pending)
	}
	r.countFailure(ctx, err)
	return s, err
}

// countFailure keeps count of the requests in a row that got no answer,
// and stops the run when there are too many.
func (r *runner) countFailure(ctx context.Context, err error) {
	var noAnswer *transportError
	if !errors.As(err, &noAnswer) || ctx.Err() != nil {
		if err == nil {
			r.failures = 0
		}
		return
	}
	r.failures++
	if r.failures >= r.cfg.MaxTransportFailures && r.stop != nil {
		r.stop(fmt.Errorf("stopped: %d requests in a row got no answer from %s (last: %s)", r.failures, r.red.Text(r.cfg.BaseURL), noAnswer.msg))
	}
}

// transportError is a request that got no answer; unsent tells one that
// never reached the server (no connection was made).
type transportError struct {
	msg    string
	unsent bool
}

func (e *transportError) Error() string { return e.msg }

func isWrite(method string) bool {
	return method != http.MethodGet && method != http.MethodHead
}

func (r *runner) do(ctx context.Context, rq request) (*sent, error) {
	u := strings.TrimRight(r.cfg.BaseURL, "/") + oas.FillPath(rq.path, rq.pathParams)
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
	case authToken:
		if r.token != "" {
			hr.Header.Set("Authorization", "Bearer "+r.token)
		}
	case authWrong:
		hr.Header.Set("Authorization", "Bearer session-v1:qapi-wrong-token")
	}
	t := check.Traffic{Request: hr, RequestBody: rq.body}
	red := r.checker.Scope(t)
	t.Redactor = red
	ex := &report.Exchange{Method: hr.Method, URL: red.Text(u), RequestHeader: red.Header(hr.Header)}
	if rq.body != nil {
		ex.RequestBody = report.Excerpt(red, rq.body)
	}
	start := time.Now()
	resp, err := r.cfg.HTTPClient.Do(hr)
	r.report.Requests++
	if err != nil {
		ex.Error = red.Text(err.Error())
		var op *net.OpError
		return nil, &transportError{msg: ex.Error, unsent: errors.As(err, &op) && op.Op == "dial"}
	}
	defer resp.Body.Close()
	limit := r.cfg.MaxResponseBytes
	data, err := io.ReadAll(io.LimitReader(resp.Body, int64(limit)+1))
	ex.Duration = report.Duration(time.Since(start))
	if err != nil {
		return nil, &transportError{msg: red.Text(fmt.Sprintf("read response: %v", err))}
	}
	if len(data) > limit {
		data, t.BodyTruncated = nil, true
	}
	ex.Status = resp.StatusCode
	ex.ResponseHeader = red.Header(resp.Header)
	ex.ResponseBody = report.Excerpt(red, data)
	if t.BodyTruncated {
		ex.ResponseBody = fmt.Sprintf("[body longer than %d bytes, not kept]", limit)
	}
	hr.Body = io.NopCloser(bytes.NewReader(rq.body))
	t.Status, t.Header, t.Body = resp.StatusCode, resp.Header, data
	return &sent{req: rq, traffic: t, ex: ex}, nil
}

// operation runs every enabled check for one operation.
func (r *runner) operation(ctx context.Context, o check.Operation) {
	res := r.report.Operation(o.ID, o.Method, o.Path)
	c := r.classes[o.Method+" "+o.Path]
	res.Classify(string(c.Safety), c.Reason)
	if reason := r.notRun(o, c); reason != "" {
		res.NotRun(reason)
		return
	}
	if o.Method == http.MethodPost && o.Path == "/v1/session/login" && r.cfg.Username != "" {
		r.loginOperation(ctx, o, res)
		return
	}
	variants := r.validRequests(o)
	// The variants share their path parameters.
	r.itemParams(ctx, o, variants[0].pathParams)
	if r.cfg.Access == ReadOnly {
		r.existingItems(ctx, o, variants[0].pathParams)
	}
	for i := range variants {
		variants[i].body = sameID(variants[i].body, o.Path, variants[i].pathParams, r.named[oas.FillPath(o.Path, variants[i].pathParams)])
	}
	rq := variants[0]
	_, _, creates := oas.ItemOf(r.cfg.Spec, o.Path)
	creates = creates && o.Method == http.MethodPost
	for i, v := range variants {
		s, ok := r.exchange(ctx, res, o, v)
		if !ok {
			return
		}
		if reason := notServed(s); i == 0 && reason != "" {
			res.NotServed(reason)
			return
		}
		if creates && refusedAsTaken(s) {
			retry := func(rq request) *sent { s, _ := r.exchange(ctx, res, o, rq); return s }
			if next, again, ok := r.renamed(o, v, retry); ok {
				v, s = next, again
			}
		}
		for _, p := range probes {
			if p.each {
				p.run(r, ctx, o, v, s, res)
			}
		}
	}
	for _, p := range probes {
		if !p.each {
			p.run(r, ctx, o, rq, nil, res)
		}
	}
}

// probe runs an active check that needs requests of its own (check.Probes)
// after the valid request rq for o got the answer s.
type probe struct {
	check string
	// each runs the probe after every variant of the valid request, with
	// its answer; the others run once, on the first, without it.
	each bool
	// atLogin says why the probe skips the login operation; a probe
	// without it runs there on a login with a made-up password.
	atLogin string
	run     func(r *runner, ctx context.Context, o check.Operation, rq request, s *sent, res *report.Tally)
}

// probes are the runner's part of the checks check.Probes names, in the
// order they run: a write is read back before invalid bodies follow it.
var probes = []probe{
	{check.StatefulRoundTrip, true, "login creates no readable resource", func(r *runner, ctx context.Context, o check.Operation, rq request, s *sent, res *report.Tally) {
		if s.status() >= 300 {
			res.Skip(check.StatefulRoundTrip, fmt.Sprintf("the valid request got %d", s.status()))
			return
		}
		r.roundTrip(ctx, o, rq, s, res)
	}},
	{check.NegativeDataRejection, true, "", func(r *runner, ctx context.Context, o check.Operation, rq request, _ *sent, res *report.Tally) {
		r.negative(ctx, o, rq, res)
	}},
	{check.IgnoredAuth, false, "the operation requires no security", func(r *runner, ctx context.Context, o check.Operation, rq request, _ *sent, res *report.Tally) {
		r.auth(ctx, o, rq, res)
	}},
	{check.EtagRespected, false, "the operation takes no If-Match", func(r *runner, ctx context.Context, o check.Operation, rq request, _ *sent, res *report.Tally) {
		r.etag(ctx, o, rq, res)
	}},
}

// notServed tells how an answer shows that the target does not serve the
// operation at all: a 405, or a 404 that is not about an item (Qumulo
// answers an unknown endpoint with error class http_not_found_error; a
// missing item has a class of its module), or answers "".
func notServed(s *sent) string {
	switch s.status() {
	case http.StatusMethodNotAllowed:
		return "405: the path is served, not the method"
	case http.StatusNotFound:
		var e struct {
			ErrorClass string `json:"error_class"`
		}
		if json.Unmarshal(s.traffic.Body, &e) != nil {
			return "404 without a Qumulo error document"
		}
		if e.ErrorClass == "http_not_found_error" {
			return "404 http_not_found_error"
		}
	}
	return ""
}

// exchange sends rq for o and runs the response checks on the answer; ok is
// false when no answer came back, which fails not_a_server_error.
func (r *runner) exchange(ctx context.Context, res *report.Tally, o check.Operation, rq request) (*sent, bool) {
	s, err := r.send(ctx, rq)
	var refused *refusal
	switch {
	case errors.As(err, &refused) || (err != nil && ctx.Err() != nil):
		for _, c := range r.report.Checks {
			res.Skip(c.Name, "not sent: "+err.Error())
		}
		return nil, false
	case err != nil:
		res.Fail(check.NotAServerError, "no response: "+err.Error(), nil)
		return nil, false
	}
	r.checker.Learn(o, s.traffic)
	for _, oc := range r.checker.ResponseOutcomes(o, rq.pathParams, s.traffic) {
		res.Record(oc, s.ex)
	}
	return s, true
}

// loginOperation checks the login operation with the configured user rather
// than with generated credentials, which would only get 401s.
func (r *runner) loginOperation(ctx context.Context, o check.Operation, res *report.Tally) {
	body, _ := json.Marshal(map[string]string{"username": r.cfg.Username, "password": r.cfg.Password})
	rq := request{method: o.Method, path: o.Path, body: body, auth: authNone, op: &o, login: true}
	if _, ok := r.exchange(ctx, res, o, rq); !ok {
		return
	}
	// Malformed logins carry a made-up password: the real one has no
	// business in requests built to be refused (and logged) by the server.
	bad := rq
	bad.login = false
	bad.body, _ = json.Marshal(map[string]string{"username": r.cfg.Username, "password": "qapi-not-the-password"})
	for _, p := range probes {
		if p.atLogin != "" {
			res.Skip(p.check, p.atLogin)
		} else {
			p.run(r, ctx, o, bad, nil, res)
		}
	}
}

func describe(rq request) string {
	return strings.ToUpper(rq.method) + " " + rq.path
}
