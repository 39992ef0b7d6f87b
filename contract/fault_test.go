package contract_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	qapi "github.com/qapitools/qapi"
	"github.com/qapitools/qapi/check"
	"github.com/qapitools/qapi/contract"
	"github.com/qapitools/qapi/convert"
	"github.com/qapitools/qapi/mock"
	"github.com/qapitools/qapi/mock/mocktest"
	"github.com/qapitools/qapi/report"
)

// etagSpec adds a resource that takes If-Match to what the seed spec has,
// since the key-store pages document none. Mappings is for a test that adds
// a list resource.
const etagSpec = `
openapi: 3.0.3
info: {title: etag test, version: "1"}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
  responses:
    Error:
      description: a Qumulo error
      content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}
  schemas:
    Error:
      type: object
      required: [module, error_class, description]
      properties:
        module: {type: string}
        error_class: {type: string}
        description: {type: string}
        user_visible: {type: boolean}
        stack: {type: array, items: {type: string}}
    Settings:
      type: object
      properties:
        mode: {type: string, enum: [On, Off]}
        limit: {type: integer, minimum: 0, maximum: 100}
    Mappings:
      type: array
      items: {type: object, properties: {ldap_name: {type: string}}}
    Credentials:
      type: object
      required: [bearer_token]
      properties:
        bearer_token: {type: string}
    Login:
      type: object
      required: [username, password]
      properties:
        username: {type: string}
        password: {type: string, format: password}
paths:
  /v1/session/login:
    post:
      operationId: LoginSession
      security: []
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: '#/components/schemas/Login'}}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Credentials'}}}}
        default: {$ref: '#/components/responses/Error'}
  /v1/widgets/settings:
    get:
      operationId: getV1WidgetsSettings
      security: [{bearer: []}]
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Settings'}}}}
        default: {$ref: '#/components/responses/Error'}
    put:
      operationId: putV1WidgetsSettings
      security: [{bearer: []}]
      parameters:
        - {name: If-Match, in: header, schema: {type: string}}
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: '#/components/schemas/Settings'}}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Settings'}}}}
        default: {$ref: '#/components/responses/Error'}
`

// keyStoreSpec is the embedded contract cut down to login and the key
// store, which the faults are made for: on the whole API a fault such as
// wrong-field-type also breaks the round trips of other resources.
var keyStoreSpec = sync.OnceValues(func() (*openapi3.T, error) {
	doc, err := convert.Load(qapi.APIYAML, "api.yaml")
	if err != nil {
		return nil, err
	}
	for _, p := range doc.Paths.Keys() {
		if p != "/v1/session/login" && p != "/v2/encryption/key-store" {
			doc.Paths.Delete(p)
		}
	}
	return doc, nil
})

func specFor(t *testing.T, f mock.Fault) *openapi3.T {
	t.Helper()
	load := keyStoreSpec
	if f == mock.FaultIgnoredIfMatch {
		load = func() (*openapi3.T, error) { return convert.Load([]byte(etagSpec), "etagSpec") }
	}
	doc, err := load()
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func failedChecks(rep *report.Report) []string {
	set := map[string]bool{}
	for _, o := range rep.Operations {
		for _, cr := range o.Results {
			if cr.Status == check.Fail {
				set[cr.Check] = true
			}
		}
	}
	var out []string
	for c := range set {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

func runAgainst(t *testing.T, spec *openapi3.T, strict bool, opts ...mock.Option) *report.Report {
	t.Helper()
	srv := mocktest.NewServer(t, append([]mock.Option{mock.WithSpec(spec)}, opts...)...)
	rep, err := contract.Run(context.Background(), contract.Config{Spec: spec, BaseURL: srv.URL, HTTPClient: srv.Client(), Access: contract.Twin,
		Username: mock.DefaultUser, Password: mock.DefaultPassword, Seed: 3, Strict: strict})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// Each fault of the mock is caught by its check, and only by the checks
// mock.FaultChecks states; the healthy mock passes the same run.
func TestEveryFaultIsCaughtByItsCheck(t *testing.T) {
	t.Parallel()
	for _, f := range mock.Faults() {
		t.Run(string(f), func(t *testing.T) {
			t.Parallel()
			spec := specFor(t, f)
			strict := f == mock.FaultUndeclaredProperty
			if healthy := failedChecks(runAgainst(t, spec, strict)); len(healthy) > 0 {
				t.Fatalf("the healthy mock fails %v", healthy)
			}
			rep := runAgainst(t, spec, strict, mock.WithFault(f))
			want := mock.FaultChecks(f) // a copy: sorting it leaves the table alone
			sort.Strings(want)
			if got := failedChecks(rep); !reflect.DeepEqual(got, want) {
				var b strings.Builder
				_ = rep.WriteText(&b)
				t.Fatalf("fault %s: failed checks %v, want exactly %v\n%s", f, got, want, b.String())
			}
		})
	}
}

// A read of a list shows what a PUT sent though each item carries a
// property the schema does not declare: the round trip compares the items'
// declared fields, as it does for an object (it compared the lists whole).
func TestUndeclaredPropertyInListItems(t *testing.T) {
	t.Parallel()
	spec, err := convert.Load([]byte(etagSpec+`
  /v1/mappings/:
    get:
      operationId: ListMappings
      security: [{bearer: []}]
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Mappings'}}}}
        default: {$ref: '#/components/responses/Error'}
    put:
      operationId: ReplaceMappings
      security: [{bearer: []}]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: '#/components/schemas/Mappings'}}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Mappings'}}}}
        default: {$ref: '#/components/responses/Error'}
`), "list spec")
	if err != nil {
		t.Fatal(err)
	}
	if got := failedChecks(runAgainst(t, spec, false, mock.WithFault(mock.FaultUndeclaredProperty))); len(got) > 0 {
		t.Fatalf("without strict, failed %v", got)
	}
}

// Undeclared properties pass without --strict: strictness is what finds drift.
func TestUndeclaredPropertyNeedsStrict(t *testing.T) {
	t.Parallel()
	spec := specFor(t, mock.FaultUndeclaredProperty)
	if got := failedChecks(runAgainst(t, spec, false, mock.WithFault(mock.FaultUndeclaredProperty))); len(got) > 0 {
		t.Fatalf("without strict, failed %v", got)
	}
}

// The suite passes against the healthy mock serving each whole corpus
// revision: every operation exercised, nothing failed.
func TestHealthyMockPassesCorpus(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..", "shared", "corpus")
	revs, _ := filepath.Glob(filepath.Join(root, "qumulo-rest-api-guide-*"))
	if len(revs) == 0 {
		t.Skipf("no corpus at %s: the corpus run needs ../shared/corpus", root)
	}
	for _, rev := range revs {
		t.Run(filepath.Base(rev), func(t *testing.T) {
			t.Parallel()
			built, err := convert.Build([]convert.Source{{Name: filepath.Base(rev), FS: os.DirFS(rev)}}, nil, convert.Options{})
			if err != nil {
				t.Fatal(err)
			}
			rep := runAgainst(t, built.Doc, false)
			if rep.Failed() {
				var b strings.Builder
				_ = rep.WriteText(&b)
				t.Fatalf("healthy mock fails on %s:\n%s", filepath.Base(rev), b.String())
			}
			if len(rep.Operations) != built.Operations {
				t.Errorf("exercised %d operations, the spec has %d", len(rep.Operations), built.Operations)
			}
			t.Logf("%s: %d operations, %d requests, %+v", filepath.Base(rev), len(rep.Operations), rep.Requests, rep.Totals)
		})
	}
}
