package check_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/qapitools/qapi/check"
)

// oracleSpec is a small contract written by hand: settings read and
// replaced under If-Match with a write-only secret, a collection with
// items, and an open status endpoint that answers no body.
const oracleSpec = `
openapi: 3.0.3
info: {title: oracle, version: "1"}
security: [{bearer: []}]
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
  schemas:
    Error:
      type: object
      required: [error_class]
      properties:
        error_class: {type: string}
    Settings:
      type: object
      properties:
        mode: {type: string, enum: [On, Off]}
        limit: {type: integer, minimum: 0, maximum: 100}
        secret: {type: string, writeOnly: true}
    Widget:
      type: object
      required: [id]
      properties:
        id: {type: string}
        name: {type: string}
  responses:
    Error:
      description: an error
      content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}
paths:
  /v1/settings:
    get:
      operationId: GetSettings
      responses:
        "200":
          description: the settings
          headers:
            ETag: {required: true, schema: {type: string}}
          content: {application/json: {schema: {$ref: '#/components/schemas/Settings'}}}
        default: {$ref: '#/components/responses/Error'}
    put:
      operationId: SetSettings
      parameters:
        - {name: If-Match, in: header, schema: {type: string}}
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: '#/components/schemas/Settings'}}}
      responses:
        "200": {description: the settings, content: {application/json: {schema: {$ref: '#/components/schemas/Settings'}}}}
        default: {$ref: '#/components/responses/Error'}
  /v1/widgets/:
    post:
      operationId: CreateWidget
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: '#/components/schemas/Widget'}}}
      responses:
        "200": {description: the widget, content: {application/json: {schema: {$ref: '#/components/schemas/Widget'}}}}
        default: {$ref: '#/components/responses/Error'}
  /v1/widgets/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    get:
      operationId: GetWidget
      responses:
        "200": {description: the widget, content: {application/json: {schema: {$ref: '#/components/schemas/Widget'}}}}
        default: {$ref: '#/components/responses/Error'}
    delete:
      operationId: DeleteWidget
      responses:
        "204": {description: deleted}
        default: {$ref: '#/components/responses/Error'}
  /v1/widgets/{id}/data:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    get:
      operationId: GetWidgetData
      responses:
        "200": {description: its bytes, content: {application/octet-stream: {schema: {type: string, format: binary}}}}
        default: {$ref: '#/components/responses/Error'}
  /v1/status:
    get:
      operationId: GetStatus
      security: []
      responses:
        "204": {description: up}
`

// exchange is a request and its answer, written by hand.
type exchange struct {
	method, path string
	token        bool // the request carries a bearer token
	body         string
	status       int
	header       map[string]string
	respBody     string
}

const secret = "correct-horse-battery-staple"

var (
	settingsJSON = map[string]string{"Content-Type": "application/json", "ETag": `"v1"`}
	plainJSON    = map[string]string{"Content-Type": "application/json"}
	anError      = `{"error_class":"bad"}`
)

// traffic builds the exchange as a client and a server would have had it.
func (e exchange) traffic() check.Traffic {
	var body *strings.Reader
	if e.body != "" {
		body = strings.NewReader(e.body)
	}
	var req *http.Request
	if body != nil {
		req = httptest.NewRequest(e.method, "https://cluster:8000"+e.path, body)
		req.Header.Set("Content-Type", "application/json")
	} else {
		req = httptest.NewRequest(e.method, "https://cluster:8000"+e.path, nil)
	}
	if e.token {
		req.Header.Set("Authorization", "Bearer session-v1:oracle")
	}
	h := http.Header{}
	for k, v := range e.header {
		h.Set(k, v)
	}
	return check.Traffic{Request: req, RequestBody: []byte(e.body), Status: e.status, Header: h, Body: []byte(e.respBody)}
}

// judge decides a probe's verdict on the answer t, given the Checker to
// route requests with.
type judge func(c *check.Checker, t check.Traffic) check.Outcome

func route(t *testing.T, c *check.Checker, method, path string) check.Operation {
	t.Helper()
	o, ok := c.Route(httptest.NewRequest(method, "https://cluster:8000"+path, nil))
	if !ok {
		t.Fatalf("%s %s is not in the oracle spec", method, path)
	}
	return o
}

// Each check judges hand-written exchanges against a hand-written spec as
// the contract says it must: the expected verdicts are written here, not
// derived from the code under test, and every check of the registry has a
// case it passes and a case it fails.
func TestChecksOnHandWrittenExchanges(t *testing.T) {
	t.Parallel()
	loader := openapi3.NewLoader()
	spec, err := loader.LoadFromData([]byte(oracleSpec))
	if err != nil {
		t.Fatal(err)
	}
	if err := spec.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	getSettings := exchange{method: "GET", path: "/v1/settings", token: true, status: 200, header: settingsJSON, respBody: `{"mode":"On","limit":5}`}
	with := func(e exchange, change func(*exchange)) exchange { change(&e); return e }
	putSecret := exchange{method: "PUT", path: "/v1/settings", token: true, body: `{"mode":"On","secret":"` + secret + `"}`, status: 200, header: plainJSON, respBody: `{"mode":"On"}`}
	readBack := func(sent string) judge {
		return func(c *check.Checker, tr check.Traffic) check.Outcome {
			return check.ShowsWrite(route(t, c, "PUT", "/v1/settings"), []byte(sent), route(t, c, "GET", "/v1/settings"), tr)
		}
	}
	gone := func(c *check.Checker, tr check.Traffic) check.Outcome {
		return check.Gone(route(t, c, "GET", "/v1/widgets/7"), "DELETE /v1/widgets/{id}", tr)
	}
	rejected := func(c *check.Checker, tr check.Traffic) check.Outcome {
		return check.Rejected(route(t, c, tr.Request.Method, tr.Request.URL.Path), "a string for an integer", tr)
	}
	refused := func(c *check.Checker, tr check.Traffic) check.Outcome {
		return check.RefusedAuth(route(t, c, tr.Request.Method, tr.Request.URL.Path), "with a wrong token", tr)
	}
	stale := func(c *check.Checker, tr check.Traffic) check.Outcome {
		return check.RefusedStale(route(t, c, "PUT", "/v1/settings"), `"v1"`, tr)
	}
	putLimit := func(limit string, status int) exchange {
		return exchange{method: "PUT", path: "/v1/settings", token: true, body: `{"limit":` + limit + `}`, status: status, header: plainJSON, respBody: anError}
	}

	covered := map[string][]check.Status{}
	for _, tt := range []struct {
		name   string
		check  string
		before []exchange // earlier exchanges the same Checker saw
		ex     exchange
		strict bool
		judge  judge // a probe's judge; nil runs the passive checks
		want   check.Status
	}{
		{name: "valid body", check: check.RequestConformance, ex: with(putSecret, func(e *exchange) { e.body = `{"mode":"Off","limit":100}` }), want: check.Pass},
		{name: "string for an integer", check: check.RequestConformance, ex: putLimit(`"five"`, 400), want: check.Fail},
		{name: "past the maximum", check: check.RequestConformance, ex: putLimit(`101`, 400), want: check.Fail},
		{name: "unknown enum value", check: check.RequestConformance, ex: with(putSecret, func(e *exchange) { e.body = `{"mode":"Maybe"}` }), want: check.Fail},

		{name: "200", check: check.NotAServerError, ex: getSettings, want: check.Pass},
		{name: "404", check: check.NotAServerError, ex: with(getSettings, func(e *exchange) { e.status, e.header, e.respBody = 404, plainJSON, anError }), want: check.Pass},
		{name: "500", check: check.NotAServerError, ex: with(getSettings, func(e *exchange) { e.status, e.header, e.respBody = 500, plainJSON, anError }), want: check.Fail},
		{name: "503", check: check.NotAServerError, ex: with(getSettings, func(e *exchange) { e.status, e.header, e.respBody = 503, plainJSON, anError }), want: check.Fail},

		{name: "documented success", check: check.StatusCodeConformance, ex: getSettings, want: check.Pass},
		{name: "error by the default response", check: check.StatusCodeConformance, ex: with(getSettings, func(e *exchange) { e.status, e.header, e.respBody = 409, plainJSON, anError }), want: check.Pass},
		{name: "undocumented success", check: check.StatusCodeConformance, ex: with(getSettings, func(e *exchange) { e.status = 203 }), want: check.Fail},
		{name: "201 where 200 is documented", check: check.StatusCodeConformance,
			ex: exchange{method: "POST", path: "/v1/widgets/", token: true, body: `{"id":"7"}`, status: 201, header: plainJSON, respBody: `{"id":"7"}`}, want: check.Fail},
		{name: "error without a default response", check: check.StatusCodeConformance, ex: exchange{method: "GET", path: "/v1/status", status: 500}, want: check.Fail},

		{name: "documented JSON", check: check.ContentTypeConformance, ex: getSettings, want: check.Pass},
		{name: "no body where none is documented", check: check.ContentTypeConformance, ex: exchange{method: "GET", path: "/v1/status", status: 204}, want: check.Pass},
		{name: "text for JSON", check: check.ContentTypeConformance, ex: with(getSettings, func(e *exchange) { e.header = map[string]string{"Content-Type": "text/plain", "ETag": `"v1"`} }), want: check.Fail},
		{name: "a body where none is documented", check: check.ContentTypeConformance, ex: exchange{method: "GET", path: "/v1/status", status: 204, header: plainJSON, respBody: `{}`}, want: check.Fail},
		{name: "no body where one is documented", check: check.ContentTypeConformance, ex: with(getSettings, func(e *exchange) { e.respBody = "" }), want: check.Fail},
		// An empty file's data is no bytes; a JSON answer is never empty.
		{name: "no bytes of a file's data", check: check.ContentTypeConformance, ex: exchange{method: "GET", path: "/v1/widgets/7/data", status: 200}, want: check.Pass},

		{name: "ETag present", check: check.ResponseHeadersConformance, ex: getSettings, want: check.Pass},
		{name: "ETag missing", check: check.ResponseHeadersConformance, ex: with(getSettings, func(e *exchange) { e.header = plainJSON }), want: check.Fail},
		{name: "no headers documented", check: check.ResponseHeadersConformance, ex: with(putSecret, func(e *exchange) { e.body = `{"mode":"On"}` }), want: check.Skip},

		{name: "valid body", check: check.ResponseSchemaConformance, ex: getSettings, want: check.Pass},
		{name: "string for an integer", check: check.ResponseSchemaConformance, ex: with(getSettings, func(e *exchange) { e.respBody = `{"mode":"On","limit":"5"}` }), want: check.Fail},
		{name: "unknown enum value", check: check.ResponseSchemaConformance, ex: with(getSettings, func(e *exchange) { e.respBody = `{"mode":"Maybe"}` }), want: check.Fail},
		{name: "required field missing", check: check.ResponseSchemaConformance,
			ex: exchange{method: "GET", path: "/v1/widgets/7", token: true, status: 200, header: plainJSON, respBody: `{"name":"w"}`}, want: check.Fail},
		{name: "not JSON", check: check.ResponseSchemaConformance, ex: with(getSettings, func(e *exchange) { e.respBody = `{"mode":` }), want: check.Fail},
		{name: "undeclared property, lax", check: check.ResponseSchemaConformance, ex: with(getSettings, func(e *exchange) { e.respBody = `{"mode":"On","colour":"red"}` }), want: check.Pass},
		{name: "undeclared property, strict", check: check.ResponseSchemaConformance, strict: true, ex: with(getSettings, func(e *exchange) { e.respBody = `{"mode":"On","colour":"red"}` }), want: check.Fail},
		{name: "empty body", check: check.ResponseSchemaConformance, ex: exchange{method: "GET", path: "/v1/status", status: 204}, want: check.Skip},

		{name: "no token refused", check: check.IgnoredAuth, ex: with(getSettings, func(e *exchange) { e.token, e.status, e.header, e.respBody = false, 401, plainJSON, anError }), want: check.Pass},
		{name: "no token served", check: check.IgnoredAuth, ex: with(getSettings, func(e *exchange) { e.token = false }), want: check.Fail},
		{name: "open operation", check: check.IgnoredAuth, ex: exchange{method: "GET", path: "/v1/status", status: 204}, want: check.Skip},
		{name: "with a token", check: check.IgnoredAuth, ex: getSettings, want: check.Skip},
		{name: "wrong token refused", check: check.IgnoredAuth, judge: refused, ex: with(getSettings, func(e *exchange) { e.status, e.header, e.respBody = 401, plainJSON, anError }), want: check.Pass},
		{name: "wrong token forbidden", check: check.IgnoredAuth, judge: refused, ex: with(getSettings, func(e *exchange) { e.status, e.header, e.respBody = 403, plainJSON, anError }), want: check.Pass},
		{name: "wrong token served", check: check.IgnoredAuth, judge: refused, ex: getSettings, want: check.Fail},

		{name: "nothing write-only sent", check: check.WriteOnlyNeverReturned, ex: getSettings, want: check.Skip},
		{name: "the secret kept", check: check.WriteOnlyNeverReturned, before: []exchange{putSecret}, ex: getSettings, want: check.Pass},
		{name: "the secret read back", check: check.WriteOnlyNeverReturned, before: []exchange{putSecret},
			ex: with(getSettings, func(e *exchange) { e.respBody = `{"mode":"On","secret":"` + secret + `"}` }), want: check.Fail},
		{name: "the secret in a header", check: check.WriteOnlyNeverReturned, before: []exchange{putSecret},
			ex: with(getSettings, func(e *exchange) {
				e.header = map[string]string{"Content-Type": "application/json", "ETag": `"v1"`, "X-Debug": secret}
			}), want: check.Fail},
		{name: "the secret echoed by its own write", check: check.WriteOnlyNeverReturned,
			ex: with(putSecret, func(e *exchange) { e.respBody = `{"mode":"On","secret":"` + secret + `"}` }), want: check.Fail},
		{name: "a refused write teaches nothing", check: check.WriteOnlyNeverReturned,
			before: []exchange{with(putSecret, func(e *exchange) { e.status, e.respBody = 400, anError })},
			ex:     with(getSettings, func(e *exchange) { e.respBody = `{"mode":"On","secret":"` + secret + `"}` }), want: check.Skip},

		{name: "400", check: check.NegativeDataRejection, judge: rejected, ex: putLimit(`"five"`, 400), want: check.Pass},
		{name: "422", check: check.NegativeDataRejection, judge: rejected, ex: putLimit(`"five"`, 422), want: check.Pass},
		{name: "accepted", check: check.NegativeDataRejection, judge: rejected, ex: putLimit(`"five"`, 200), want: check.Fail},
		{name: "500", check: check.NegativeDataRejection, judge: rejected, ex: putLimit(`"five"`, 500), want: check.Fail},

		{name: "the write shows", check: check.StatefulRoundTrip, judge: readBack(`{"mode":"On","limit":5}`), ex: getSettings, want: check.Pass},
		{name: "a write-only field is not compared", check: check.StatefulRoundTrip, judge: readBack(`{"mode":"On","secret":"` + secret + `"}`), ex: getSettings, want: check.Pass},
		{name: "a field differs", check: check.StatefulRoundTrip, judge: readBack(`{"mode":"On","limit":6}`), ex: getSettings, want: check.Fail},
		{name: "a field is missing", check: check.StatefulRoundTrip, judge: readBack(`{"mode":"Off"}`), ex: with(getSettings, func(e *exchange) { e.respBody = `{"limit":5}` }), want: check.Fail},
		{name: "the read fails", check: check.StatefulRoundTrip, judge: readBack(`{"mode":"On"}`), ex: with(getSettings, func(e *exchange) { e.status, e.header, e.respBody = 404, plainJSON, anError }), want: check.Fail},
		{name: "the read is not JSON", check: check.StatefulRoundTrip, judge: readBack(`{"mode":"On"}`), ex: with(getSettings, func(e *exchange) { e.respBody = `mode=On` }), want: check.Fail},
		{name: "the deleted item is gone", check: check.StatefulRoundTrip, judge: gone,
			ex: exchange{method: "GET", path: "/v1/widgets/7", token: true, status: 404, header: plainJSON, respBody: anError}, want: check.Pass},
		{name: "use after free", check: check.StatefulRoundTrip, judge: gone,
			ex: exchange{method: "GET", path: "/v1/widgets/7", token: true, status: 200, header: plainJSON, respBody: `{"id":"7"}`}, want: check.Fail},

		{name: "stale If-Match refused", check: check.EtagRespected, judge: stale, ex: putLimit(`5`, 412), want: check.Pass},
		{name: "stale If-Match applied", check: check.EtagRespected, judge: stale, ex: with(putSecret, func(e *exchange) { e.body = `{"limit":5}` }), want: check.Fail},
		{name: "stale If-Match answered 400", check: check.EtagRespected, judge: stale, ex: putLimit(`5`, 400), want: check.Fail},
	} {
		t.Run(tt.check+"/"+tt.name, func(t *testing.T) {
			c, err := check.NewChecker(spec, check.WithStrict(tt.strict))
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range tt.before {
				c.Check(b.traffic())
			}
			tr := tt.ex.traffic()
			var got check.Outcome
			if tt.judge != nil {
				got = tt.judge(c, tr)
			} else {
				res := c.Check(tr)
				if !res.Known {
					t.Fatalf("%s %s is not routed", tt.ex.method, tt.ex.path)
				}
				i := slices.IndexFunc(res.Outcomes, func(o check.Outcome) bool { return o.Check == tt.check })
				if i < 0 {
					t.Fatalf("no outcome of %s among %+v", tt.check, res.Outcomes)
				}
				got = res.Outcomes[i]
			}
			if got.Check != tt.check || got.Status != tt.want {
				t.Errorf("%s: %s %q, want %s", got.Check, got.Status, got.Reason, tt.want)
			}
			if (got.Status == check.Fail) != (len(got.Violations) > 0) {
				t.Errorf("status %s with violations %+v", got.Status, got.Violations)
			}
		})
		covered[tt.check] = append(covered[tt.check], tt.want)
	}
	for _, name := range registered() {
		if !slices.Contains(covered[name], check.Pass) || !slices.Contains(covered[name], check.Fail) {
			t.Errorf("%s has no case it passes and one it fails (has %v)", name, covered[name])
		}
		delete(covered, name)
	}
	for name := range covered {
		t.Errorf("a case for %s, which the registry lacks", name)
	}
}

// registered names every check, active or passive.
func registered() []string {
	var names []string
	for _, c := range append(check.Active(), check.Passive()...) {
		if !slices.Contains(names, c.Name) {
			names = append(names, c.Name)
		}
	}
	return names
}
