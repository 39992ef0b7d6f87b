package mock

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	neturl "net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

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

// opRequest makes a valid request for an operation from its schemas;
// params and body, when set, replace generated path parameters and body.
func opRequest(t testing.TB, doc *openapi3.T, path, method string, op *openapi3.Operation, token string, params map[string]string, body any) *http.Request {
	t.Helper()
	g := oas.NewGenerator(1, method+" "+path, oas.Request)
	url := path
	query := []string{}
	header := http.Header{}
	for _, pv := range oas.Parameters(doc.Paths.Value(path), op) {
		if pv.In != "path" && !pv.Required {
			continue
		}
		// A parameter has one value in every operation, so a network
		// created under an interface is read under the same one.
		s := fmt.Sprint(oas.NewGenerator(1, pv.Name, oas.Request).Parameter(pv))
		if v, ok := params[pv.Name]; ok {
			s = v
		}
		switch pv.In {
		case "path":
			url = strings.ReplaceAll(url, "{"+pv.Name+"}", neturl.PathEscape(s))
		case "query":
			query = append(query, pv.Name+"="+s)
		case "header":
			header.Set(pv.Name, s)
		}
	}
	if len(query) > 0 {
		url += "?" + strings.Join(query, "&")
	}
	var rd io.Reader
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
			if body != nil {
				v = mergePatch(v, body)
			}
			data, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			rd = bytes.NewReader(data)
			header.Set("Content-Type", "application/json")
		}
	}
	req := httptest.NewRequest(method, url, rd)
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return req
}

// corpusData is what the twin needs of a request beyond its schema, by
// method and shape: the fields that must name something that exists (a
// directory, a user), the files that a delete may remove, and sizes a
// test can read.
var corpusData = map[string]struct {
	params map[string]string
	body   any
}{
	"POST /files/quotas":              {body: map[string]any{"id": "2"}},
	"POST /snapshots":                 {body: map[string]any{"source_file_id": "2"}},
	"GET /files/quotas/status/{}":     {params: map[string]string{"id": "2"}},
	"POST /s3/access-keys":            {body: map[string]any{"user": map[string]any{"auth_id": "500"}}},
	"POST /groups/{}/members":         {body: map[string]any{"member_id": "501"}},
	"POST /auth/roles/{}/members":     {body: map[string]any{"auth_id": "501"}},
	"POST /auth/access-tokens":        {body: map[string]any{"user": map[string]any{"auth_id": "500"}}},
	"POST /files/{}/entries":          {body: map[string]any{"name": "corpus-made", "action": "CREATE_DIRECTORY"}},
	"POST /files/resolve":             {body: []any{"2"}},
	"POST /tree-delete/jobs":          {body: map[string]any{"id": "/corpus-tree"}},
	"DELETE /files/{}":                {params: map[string]string{"ref": "/corpus-file"}},
	"POST /files/{}/copy-chunk":       {params: map[string]string{"ref": "/corpus-file"}},
	"GET /files/{}/data":              {params: map[string]string{"ref": "/corpus-file"}},
	"PUT /files/{}/data":              {params: map[string]string{"ref": "/corpus-file"}},
	"PATCH /files/{}/data":            {params: map[string]string{"ref": "/corpus-file"}},
	"PATCH /files/{}/info/attributes": {params: map[string]string{"ref": "/corpus-file"}},
	// A generated size (gigabytes) would have the GET of the stream's data,
	// which comes next, answer that many zeros into the recorder.
	"PATCH /files/{}/streams/{}/attributes": {body: map[string]any{"size": "5"}},
	"GET /tree-delete/jobs/{}":              {params: map[string]string{"id": "/corpus-tree"}},
	"POST /tree-delete/jobs/restart/{}":     {params: map[string]string{"id": "/corpus-tree"}},
	"DELETE /tree-delete/jobs/{}":           {params: map[string]string{"id": "/corpus-tree"}},
}

// fixtures creates the items that operations on item paths need, through
// the collections' own POSTs, so every operation has something to act on.
type fixtures struct {
	t     *testing.T
	m     *Mock
	doc   *openapi3.T
	token string
	ids   map[string]string // by concrete collection path
	made  int
}

// params fills the path parameters of path that name items, creating
// them; a DELETE gets items of its own, so deletes do not interfere.
func (f *fixtures) params(path, method string) map[string]string {
	params := map[string]string{}
	p := f.m.engine.plan[path]
	var parent strings.Builder
	for _, s := range p.segs {
		if s.lit != "" {
			parent.WriteString("/" + s.lit)
			continue
		}
		if s.coll != nil {
			coll := parent.String()
			id, ok := f.ids[coll]
			if !ok || method == http.MethodDelete {
				id = f.create(s.coll, params)
				if method != http.MethodDelete {
					f.ids[coll] = id
				}
			}
			params[s.param] = id
			parent.WriteString("/" + id)
			continue
		}
		parent.WriteString("/{}")
	}
	return params
}

// uniqueNames are fresh values for the fields a write must not share with
// another item (a share's name, an export's path), or nil when it has none.
func (f *fixtures) uniqueNames(path, method string, op *openapi3.Operation) map[string]any {
	p := f.m.engine.plan[path]
	coll := p.item
	if method == http.MethodPost {
		coll = p.list
	}
	schema := oas.RequestSchema(op)
	if coll == nil || schema == nil || schema.Value == nil || method == http.MethodGet || method == http.MethodDelete {
		return nil
	}
	var names map[string]any
	for _, k := range coll.fam.unique {
		if _, declared := schema.Value.Properties[k]; declared {
			f.made++
			if names == nil {
				names = map[string]any{}
			}
			names[k] = fmt.Sprintf("corpus-%d", f.made)
		}
	}
	return names
}

// create POSTs a new item to a collection and answers its id.
func (f *fixtures) create(coll *collection, parentParams map[string]string) string {
	f.t.Helper()
	for _, path := range slices.Sorted(maps.Keys(f.doc.Paths.Map())) {
		item := f.doc.Paths.Value(path)
		if item.Post == nil || strings.TrimSuffix(shapeOf(path), "/") != coll.shape {
			continue
		}
		params := map[string]string{}
		for name, v := range parentParams {
			params[name] = v
		}
		body := corpusData["POST "+coll.shape].body
		if coll.shape == "/files/quotas" {
			// One quota per directory: each gets a directory of its own.
			f.made++
			dir, err := f.m.engine.mknod(f.m.engine.fs.root, fmt.Sprintf("corpus-quota-%d", f.made), typeDirectory)
			if err != nil {
				f.t.Fatal(err)
			}
			body = map[string]any{"id": strconv.FormatUint(dir.id, 10)}
		}
		if coll.shape == "/auth/roles/{}/members" {
			// A role holds a member once: each gets a user of its own.
			body = map[string]any{"auth_id": f.create(f.m.engine.colls["/users"], nil)}
		}
		if body == nil {
			// Each item gets names of its own.
			f.made++
			names := map[string]any{}
			for _, k := range coll.fam.unique {
				names[k] = fmt.Sprintf("corpus-%d", f.made)
			}
			if coll.fam.clientID {
				names[cmp.Or(coll.fam.idFrom, coll.fam.idField)] = fmt.Sprintf("corpus-%d", f.made)
			}
			body = names
		}
		req := opRequest(f.t, f.doc, path, http.MethodPost, item.Post, f.token, params, body)
		rec := httptest.NewRecorder()
		f.m.ServeHTTP(rec, req)
		if rec.Code/100 != 2 {
			f.t.Fatalf("create a %s: %d %s", coll.shape, rec.Code, rec.Body.Bytes())
		}
		// The new id is in the answer, the answer itself, or the Location.
		var answer any
		_ = json.Unmarshal(rec.Body.Bytes(), &answer)
		if id := scalarString(objectOf(answer)[coll.fam.idField]); id != "" {
			return id
		}
		if id := scalarString(answer); id != "" {
			return id
		}
		loc := rec.Header().Get("Location")
		return loc[strings.LastIndexByte(loc, '/')+1:]
	}
	f.t.Fatalf("no POST creates a %s", coll.shape)
	return ""
}

// TestCorpusResponsesValidate drives every operation of both corpus
// revisions with a valid request and checks that the answer is a success
// that validates against the document. Operations on items act on items
// created first, as a client would.
func TestCorpusResponsesValidate(t *testing.T) {
	t.Parallel()
	for _, rev := range corpusRevisions {
		t.Run(rev, func(t *testing.T) {
			t.Parallel()
			doc := corpusSpec(t, rev)
			// A frozen clock: tree-delete jobs finish when seen, not by time.
			m, err := New(WithSpec(doc), WithClock(func() time.Time { return time.Date(2024, 10, 16, 12, 0, 0, 0, time.UTC) }))
			if err != nil {
				t.Fatal(err)
			}
			token, ok, _ := m.auth.login(DefaultUser, DefaultPassword)
			if !ok {
				t.Fatal("login failed")
			}
			for name, typ := range map[string]string{"corpus-tree": typeDirectory, "corpus-file": typeFile} {
				if _, err := m.engine.mknod(m.engine.fs.root, name, typ); err != nil {
					t.Fatal(err)
				}
			}
			f := &fixtures{t: t, m: m, doc: doc, token: token, ids: map[string]string{}}
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
				data := corpusData[o.method+" "+shapeOf(o.path)]
				params := f.params(o.path, o.method)
				for k, v := range data.params {
					params[k] = v
				}
				if o.method+" "+shapeOf(o.path) == "DELETE /s3/buckets/{}/uploads/{}" {
					// Uploads start over S3: start one to abort.
					id, err := m.StartS3Upload(params["name"], "corpus-object")
					if err != nil {
						t.Fatal(err)
					}
					params["id"] = id
				}
				body := data.body
				if names := f.uniqueNames(o.path, o.method, o.op); names != nil {
					if body == nil {
						body = names
					} else {
						body = mergePatch(names, body)
					}
				}
				request := func() *http.Request {
					return opRequest(t, doc, o.path, o.method, o.op, token, params, body)
				}
				// A body that is not JSON answers 400, and a stale If-Match
				// 412; both answers validate. They go first, before a DELETE
				// removes the resource.
				if m.ops[o.op].jsonBody {
					req := request()
					req.Body = io.NopCloser(strings.NewReader(`{"broken":`))
					req.ContentLength = -1
					failures += checkError(t, m, req, name+" with a broken body", http.StatusBadRequest)
					checked++
				}
				if o.method != http.MethodGet && hasIfMatch(doc, o.path, o.op) {
					req := request()
					req.Header.Set("If-Match", `"stale"`)
					failures += checkError(t, m, req, name+" with a stale If-Match", http.StatusPreconditionFailed)
					checked++
				}
				req := request()
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
					req := request()
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
