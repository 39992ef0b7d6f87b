package main

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
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/qapitools/qapi/contract"
	"github.com/qapitools/qapi/convert"
	"github.com/qapitools/qapi/mock"
	"github.com/qapitools/qapi/report"
)

func init() {
	register(section{name: "Contract suite", run: runContractSuite})
	register(section{name: "Validation cost per exchange", run: runValidationCost})
}

// recorder keeps every request a client sends, to replay them later.
type recorder struct {
	mu   sync.Mutex
	next http.RoundTripper
	reqs []recordedRequest
}

type recordedRequest struct {
	method, url string
	header      http.Header
	body        []byte
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	r.mu.Lock()
	r.reqs = append(r.reqs, recordedRequest{method: req.Method, url: req.URL.String(), header: req.Header.Clone(), body: body})
	r.mu.Unlock()
	return r.next.RoundTrip(req)
}

// runContractSuite times a full suite run against the mock serving a whole
// corpus revision, next to a plain http.Client loop that sends the same
// requests to a fresh mock: the floor. The ratio is the cost of the checks.
func runContractSuite(ctx context.Context, cfg config) (string, error) {
	rev := filepath.Join(cfg.corpus, mockRevision)
	if _, err := os.Stat(rev); err != nil {
		return fmt.Sprintf("Skipped: no corpus revision at %s.\n", rev), nil
	}
	built, err := convert.Build([]convert.Source{{Name: mockRevision, FS: os.DirFS(rev)}}, nil, convert.Options{})
	if err != nil {
		return "", err
	}
	var suite, floor []time.Duration
	var requests int
	var totals report.Totals
	for i := 0; i < cfg.reps; i++ {
		srv, err := mock.Start(mock.WithSpec(built.Doc))
		if err != nil {
			return "", err
		}
		rec := &recorder{next: http.DefaultTransport}
		client := &http.Client{Transport: rec, Timeout: time.Minute}
		start := time.Now()
		rep, err := contract.Run(ctx, contract.Config{Spec: built.Doc, BaseURL: srv.URL, HTTPClient: client, Username: mock.DefaultUser, Password: mock.DefaultPassword, Seed: 1, Access: contract.Twin})
		suite = append(suite, time.Since(start))
		_ = srv.Close()
		if err != nil {
			return "", err
		}
		requests, totals = rep.Requests, rep.Totals

		fresh, err := mock.Start(mock.WithSpec(built.Doc))
		if err != nil {
			return "", err
		}
		plain := &http.Client{Timeout: time.Minute}
		start = time.Now()
		for _, r := range rec.reqs {
			u := fresh.URL + strings.TrimPrefix(r.url, srv.URL)
			req, err := http.NewRequestWithContext(ctx, r.method, u, bytes.NewReader(r.body))
			if err != nil {
				return "", err
			}
			req.Header = r.header
			resp, err := plain.Do(req)
			if err != nil {
				return "", err
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		floor = append(floor, time.Since(start))
		_ = fresh.Close()
	}
	ms := func(d []time.Duration) float64 {
		return float64(medianDuration(d)) / float64(time.Millisecond)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "A full `qapi contract` run against the mock serving the whole %s spec (%d operations, every one exercised), next to a plain `http.Client` loop sending the same requests to a fresh mock. Median of %d runs.\n\n", mockRevision, built.Operations, cfg.reps)
	b.WriteString("| run | requests | wall time (median) | × plain loop |\n|---|---:|---:|---:|\n")
	fmt.Fprintf(&b, "| contract suite (all checks) | %d | %.0f ms | %.2f |\n", requests, ms(suite), ms(suite)/ms(floor))
	fmt.Fprintf(&b, "| plain http.Client loop (floor) | %d | %.0f ms | 1.00 |\n\n", requests, ms(floor))
	fmt.Fprintf(&b, "Outcome of the suite run: %d passed, %d failed, %d skipped.\n", totals.Pass, totals.Fail, totals.Skip)
	return b.String(), nil
}

func medianDuration(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// exchange is one recorded request and response.
type exchange struct {
	name   string
	spec   []byte
	doc    *openapi3.T
	method string
	path   string
	header http.Header
	status int
	rhead  http.Header
	body   []byte
}

// runValidationCost benchmarks validating one exchange (request and
// response) with kin-openapi, as the contract suite does, next to
// pb33f/libopenapi-validator on the same exchange.
func runValidationCost(ctx context.Context, cfg config) (string, error) {
	var exchanges []exchange
	seed, err := keyStoreExchange()
	if err != nil {
		return "", err
	}
	exchanges = append(exchanges, seed)
	rev := filepath.Join(cfg.corpus, mockRevision)
	if _, err := os.Stat(rev); err == nil {
		big, err := largestExchange(rev)
		if err != nil {
			return "", err
		}
		exchanges = append(exchanges, big)
	}
	var b strings.Builder
	b.WriteString("One exchange (request and response) validated per iteration with `testing.Benchmark`; kin-openapi is what the contract suite and the mock use (route lookup, `openapi3filter.ValidateRequest`, `ValidateResponse`), pb33f/libopenapi-validator validates the same exchange with `ValidateHttpRequestResponse`.\n\n")
	b.WriteString("| exchange | response bytes | kin-openapi ns/op | allocs/op | libopenapi-validator ns/op | allocs/op | libopenapi ÷ kin |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, ex := range exchanges {
		kin, err := kinBench(ex)
		if err != nil {
			return "", fmt.Errorf("%s: kin-openapi: %w", ex.name, err)
		}
		lib, err := libBench(ex)
		if err != nil {
			return "", fmt.Errorf("%s: libopenapi-validator: %w", ex.name, err)
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %d | %s | %d | %.2f |\n", ex.name, len(ex.body),
			comma(float64(kin.NsPerOp())), kin.AllocsPerOp(), comma(float64(lib.NsPerOp())), lib.AllocsPerOp(), float64(lib.NsPerOp())/float64(kin.NsPerOp()))
	}
	return b.String(), nil
}

// record sends one request to an in-process mock and keeps the exchange.
func record(name string, spec []byte, doc *openapi3.T, method, path string) (exchange, error) {
	m, err := mock.New(mock.WithSpec(doc))
	if err != nil {
		return exchange{}, err
	}
	login := httptest.NewRequest(http.MethodPost, "/v1/session/login", strings.NewReader(`{"username":"admin","password":"admin"}`))
	login.Header.Set("Content-Type", "application/json")
	lw := httptest.NewRecorder()
	m.ServeHTTP(lw, login)
	var cred struct {
		BearerToken string `json:"bearer_token"`
	}
	if err := json.Unmarshal(lw.Body.Bytes(), &cred); err != nil || cred.BearerToken == "" {
		return exchange{}, fmt.Errorf("log in to the mock: %d %s", lw.Code, lw.Body.String())
	}
	header := http.Header{"Authorization": {"Bearer " + cred.BearerToken}, "Accept": {"application/json"}}
	req := httptest.NewRequest(method, path, nil)
	req.Header = header
	w := httptest.NewRecorder()
	m.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		return exchange{}, fmt.Errorf("%s %s answered %d", method, path, w.Code)
	}
	return exchange{name: name, spec: spec, doc: doc, method: method, path: path, header: header, status: w.Code, rhead: w.Header(), body: w.Body.Bytes()}, nil
}

func keyStoreExchange() (exchange, error) {
	doc, err := seedSpec()
	if err != nil {
		return exchange{}, err
	}
	data, err := seedJSON()
	if err != nil {
		return exchange{}, err
	}
	return record("GET /v2/encryption/key-store ("+seedLabel()+")", data, doc, http.MethodGet, mockPath)
}

// largestExchange finds the GET without path parameters whose 200 response
// schema has the most nodes in the corpus revision, and records it.
func largestExchange(rev string) (exchange, error) {
	built, err := convert.Build([]convert.Source{{Name: filepath.Base(rev), FS: os.DirFS(rev)}}, nil, convert.Options{})
	if err != nil {
		return exchange{}, err
	}
	best, bestSize := "", 0
	for path, item := range built.Doc.Paths.Map() {
		if item.Get == nil || strings.Contains(path, "{") {
			continue
		}
		resp := item.Get.Responses.Status(200)
		if resp == nil || resp.Value == nil || resp.Value.Content.Get("application/json") == nil {
			continue
		}
		if n := schemaNodes(resp.Value.Content.Get("application/json").Schema, map[*openapi3.Schema]bool{}); n > bestSize || (n == bestSize && path < best) {
			best, bestSize = path, n
		}
	}
	return record(fmt.Sprintf("GET %s (largest response schema in %s, %d schema nodes)", best, filepath.Base(rev), bestSize), built.YAML, built.Doc, http.MethodGet, best)
}

func schemaNodes(ref *openapi3.SchemaRef, seen map[*openapi3.Schema]bool) int {
	if ref == nil || ref.Value == nil || seen[ref.Value] {
		return 0
	}
	seen[ref.Value] = true
	n := 1
	for _, p := range ref.Value.Properties {
		n += schemaNodes(p, seen)
	}
	n += schemaNodes(ref.Value.Items, seen)
	for _, s := range ref.Value.OneOf {
		n += schemaNodes(s, seen)
	}
	return n
}

func (ex exchange) request() *http.Request {
	req := httptest.NewRequest(ex.method, "http://localhost:8000"+ex.path, nil)
	req.Header = ex.header.Clone()
	return req
}

func kinBench(ex exchange) (testing.BenchmarkResult, error) {
	rdoc := *ex.doc
	rdoc.Servers = nil
	router, err := legacy.NewRouter(&rdoc)
	if err != nil {
		return testing.BenchmarkResult{}, err
	}
	opts := &openapi3filter.Options{IncludeResponseStatus: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	validate := func() error {
		req := ex.request()
		req.URL.Host, req.URL.Scheme = "", ""
		route, params, err := router.FindRoute(req)
		if err != nil {
			return err
		}
		in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			return err
		}
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: ex.status, Header: ex.rhead, Options: opts}
		out.SetBodyBytes(ex.body)
		return openapi3filter.ValidateResponse(context.Background(), out)
	}
	if err := validate(); err != nil {
		return testing.BenchmarkResult{}, err
	}
	return testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = validate()
		}
	}), nil
}

func libBench(ex exchange) (testing.BenchmarkResult, error) {
	doc, err := libopenapi.NewDocument(ex.spec)
	if err != nil {
		return testing.BenchmarkResult{}, err
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		return testing.BenchmarkResult{}, errs[0]
	}
	validate := func() (bool, string) {
		resp := &http.Response{StatusCode: ex.status, Header: ex.rhead, Body: io.NopCloser(bytes.NewReader(ex.body))}
		ok, verrs := v.ValidateHttpRequestResponse(ex.request(), resp)
		if !ok && len(verrs) > 0 {
			return false, verrs[0].Error()
		}
		return ok, ""
	}
	if ok, msg := validate(); !ok {
		return testing.BenchmarkResult{}, fmt.Errorf("the exchange does not validate: %s", msg)
	}
	return testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = validate()
		}
	}), nil
}
