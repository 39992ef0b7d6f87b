package mock

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/qapitools/qapi/convert"
	"github.com/qapitools/qapi/internal/oas"
)

// corpusDir is where the real doc pages are, beside the repository.
const corpusDir = "../../shared/corpus"

var corpusRevisions = []string{"qumulo-rest-api-guide-2024-07-18", "qumulo-rest-api-guide-2024-10-16"}

var (
	corpusMu   sync.Mutex
	corpusDocs = map[string]*openapi3.T{}
)

// corpusSpec converts one corpus revision, once per test binary; it skips
// the test when the corpus is not there.
func corpusSpec(t testing.TB, rev string) *openapi3.T {
	t.Helper()
	dir := filepath.Join(corpusDir, rev)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("corpus %s not found (%v): the corpus tests need ../shared/corpus beside the repository", dir, err)
	}
	corpusMu.Lock()
	defer corpusMu.Unlock()
	if doc := corpusDocs[rev]; doc != nil {
		return doc
	}
	built, err := convert.Build([]convert.Source{{Name: rev, FS: os.DirFS(dir)}}, nil, convert.Options{})
	if err != nil {
		t.Fatalf("convert %s: %v", rev, err)
	}
	corpusDocs[rev] = built.Doc
	return built.Doc
}

// opRequest makes a valid request for an operation from its schemas.
func opRequest(t testing.TB, doc *openapi3.T, path, method string, op *openapi3.Operation, token string) *http.Request {
	t.Helper()
	g := oas.NewGenerator(1, method+" "+path, oas.Request)
	params := append(openapi3.Parameters{}, doc.Paths.Value(path).Parameters...)
	params = append(params, op.Parameters...)
	url := path
	query := []string{}
	header := http.Header{}
	for _, p := range params {
		if p.Value == nil {
			continue
		}
		pv := p.Value
		if pv.In != "path" && !pv.Required {
			continue
		}
		var v any = "x"
		if pv.Schema != nil {
			v = g.Value(pv.Schema)
		}
		s := fmt.Sprint(v)
		switch pv.In {
		case "path":
			url = strings.ReplaceAll(url, "{"+pv.Name+"}", s)
		case "query":
			query = append(query, pv.Name+"="+s)
		case "header":
			header.Set(pv.Name, s)
		}
	}
	if len(query) > 0 {
		url += "?" + strings.Join(query, "&")
	}
	var body io.Reader
	if rb := op.RequestBody; rb != nil && rb.Value != nil {
		if mt := rb.Value.Content.Get("application/json"); mt != nil {
			var v any = map[string]any{}
			if mt.Schema != nil {
				v = g.Value(mt.Schema)
			}
			// What a cluster checks beyond the schema: real credentials and
			// PEM certificates.
			switch method + " " + path {
			case "POST /v1/session/login":
				v = map[string]any{"username": DefaultUser, "password": DefaultPassword}
			case "PUT /v2/encryption/key-store":
				v = kmsBody(t, nil)
			}
			data, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			body = bytes.NewReader(data)
			header.Set("Content-Type", "application/json")
		}
	}
	req := httptest.NewRequest(method, url, body)
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return req
}

// TestCorpusResponsesValidate drives every operation of both corpus
// revisions with a valid generated request and checks that the answer is a
// success that validates against the document.
func TestCorpusResponsesValidate(t *testing.T) {
	t.Parallel()
	for _, rev := range corpusRevisions {
		t.Run(rev, func(t *testing.T) {
			t.Parallel()
			doc := corpusSpec(t, rev)
			m, err := New(WithSpec(doc))
			if err != nil {
				t.Fatal(err)
			}
			token, ok := m.auth.login(DefaultUser, DefaultPassword)
			if !ok {
				t.Fatal("login failed")
			}
			type opRef struct {
				path, method string
				op           *openapi3.Operation
			}
			var ops []opRef
			for path, item := range doc.Paths.Map() {
				for method, op := range item.Operations() {
					ops = append(ops, opRef{path, method, op})
				}
			}
			// Deletes go last so they do not remove what other operations read.
			sort.Slice(ops, func(i, j int) bool {
				di, dj := ops[i].method == http.MethodDelete, ops[j].method == http.MethodDelete
				if di != dj {
					return dj
				}
				if ops[i].path != ops[j].path {
					return ops[i].path < ops[j].path
				}
				return ops[i].method < ops[j].method
			})
			failures, checked := 0, 0
			for _, o := range ops {
				name := o.method + " " + o.path
				// A body that is not JSON answers 400, and a stale If-Match
				// 412; both answers validate. They go first, before a DELETE
				// removes the resource.
				if m.ops[o.op].jsonBody {
					req := opRequest(t, doc, o.path, o.method, o.op, token)
					req.Body = io.NopCloser(strings.NewReader(`{"broken":`))
					req.ContentLength = -1
					failures += checkError(t, m, req, name+" with a broken body", http.StatusBadRequest)
					checked++
				}
				if o.method != http.MethodGet && hasIfMatch(doc, o.path, o.op) {
					req := opRequest(t, doc, o.path, o.method, o.op, token)
					req.Header.Set("If-Match", `"stale"`)
					failures += checkError(t, m, req, name+" with a stale If-Match", http.StatusPreconditionFailed)
					checked++
				}
				req := opRequest(t, doc, o.path, o.method, o.op, token)
				rec := httptest.NewRecorder()
				m.ServeHTTP(rec, req)
				res := rec.Result()
				if res.StatusCode < 200 || res.StatusCode > 299 {
					failures++
					t.Errorf("%s (%s): status %d: %s", name, req.URL, res.StatusCode, rec.Body.Bytes())
					continue
				}
				if err := validateAnswer(m, req, rec); err != nil {
					failures++
					t.Errorf("%s: answer does not validate: %v\nbody: %s", name, err, rec.Body.Bytes())
				}
				// The error answers validate too: the same request without a
				// token, where one is needed.
				if m.ops[o.op].secured {
					req := opRequest(t, doc, o.path, o.method, o.op, token)
					req.Header.Del("Authorization")
					failures += checkError(t, m, req, name+" without a token", http.StatusUnauthorized)
					checked++
				}
				if failures > 20 {
					t.Fatal("too many failures")
				}
			}
			t.Logf("%s: %d operations answered 2xx and validated, and %d error answers (400, 401, 412) validated", rev, len(ops), checked)
		})
	}
}

// validateAnswer checks a recorded answer against the operation's
// responses; a status the operation does not list must fit its default.
func validateAnswer(m *Mock, req *http.Request, rec *httptest.ResponseRecorder) error {
	route, params, err := m.router.FindRoute(req)
	if err != nil {
		return fmt.Errorf("route: %w", err)
	}
	res := rec.Result()
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 res.StatusCode,
		Header:                 res.Header,
		Body:                   io.NopCloser(bytes.NewReader(rec.Body.Bytes())),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	return openapi3filter.ValidateResponse(context.Background(), in)
}

// checkError sends a request that must fail with status and checks that
// the error answer validates; it returns the number of failures.
func checkError(t *testing.T, m *Mock, req *http.Request, name string, status int) int {
	t.Helper()
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, req)
	if rec.Code != status {
		t.Errorf("%s: status %d, want %d: %s", name, rec.Code, status, rec.Body.Bytes())
		return 1
	}
	if err := validateAnswer(m, req, rec); err != nil {
		t.Errorf("%s: %d answer does not validate: %v\nbody: %s", name, status, err, rec.Body.Bytes())
		return 1
	}
	return 0
}

func hasIfMatch(doc *openapi3.T, path string, op *openapi3.Operation) bool {
	for _, ps := range []openapi3.Parameters{doc.Paths.Value(path).Parameters, op.Parameters} {
		for _, p := range ps {
			if p.Value != nil && p.Value.In == "header" && strings.EqualFold(p.Value.Name, "If-Match") {
				return true
			}
		}
	}
	return false
}

// TestValidateAnswerCatchesABadAnswer proves the corpus test's check can
// fail: an answer that breaks the schema does not validate.
func TestValidateAnswerCatchesABadAnswer(t *testing.T) {
	t.Parallel()
	m, err := New()
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/v2/encryption/key-store", nil)
	rec := httptest.NewRecorder()
	rec.Header().Set("Content-Type", "application/json")
	rec.WriteHeader(http.StatusOK)
	rec.WriteString(`{"type":"KMS","local_store":{"status":"Encrypted"}}`)
	if err := validateAnswer(m, req, rec); err == nil {
		t.Error("an answer with the wrong arm of the union validated")
	}
}
