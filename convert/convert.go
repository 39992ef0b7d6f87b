package convert

import (
	"encoding/json"
	"errors"
	"io/fs"
	"path"
	"reflect"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/qapitools/qapi/internal/fileio"
)

// Source is one folder of doc pages. Name prefixes the page paths shown in
// problems and recorded in x-qapi-source.
type Source struct {
	Name string
	FS   fs.FS
}

// Options tune a conversion.
type Options struct {
	// Strict turns warnings into errors.
	Strict bool
	// Version is info.version of the document; "0.0.0" when empty.
	Version string
}

// Result is a converted document and what was noticed along the way.
type Result struct {
	Doc      *openapi3.T
	Warnings []Problem
	// Pages is the number of endpoint pages read, without index pages.
	Pages int
}

// unauthenticated lists the operations a Qumulo cluster answers without a
// bearer token: the ones that start a session, the version, and those whose
// page says they need no authentication.
var unauthenticated = map[string]bool{
	"post /v1/session/login":               true,
	"post /v1/session/start-saml-login":    true,
	"post /v1/session/retrieve-saml-login": true,
	"get /v1/version":                      true,
	"get /v1/web-ui/settings":              true,
}

// ErrorSchemaName is the component every operation's default response uses.
const ErrorSchemaName = "QumuloError"

const bearerScheme = "bearer"

// Convert reads every page of the sources and builds one OpenAPI 3.0.3
// document. All problems found are returned together in an *Error. Names
// that collide are left as they are for Build to report after the
// overlays, which can fix them.
func Convert(sources []Source, opts Options) (*Result, error) {
	var ps problems
	pages := readPages(sources, &ps)
	b := &builder{bodies: map[string]*openapi3.SchemaRef{}, ps: &ps, schemas: newSchemas(&ps), errorSchema: errorSchema()}
	doc := b.build(pages, opts)
	nullableSettings(doc)
	pagedLists(doc)
	nullableAnswers(doc)
	var errs, warns []Problem
	for _, p := range ps.sorted() {
		if p.Severity == SeverityWarning && !opts.Strict {
			warns = append(warns, p)
			continue
		}
		errs = append(errs, p)
	}
	if len(errs) > 0 {
		return nil, &Error{Problems: errs}
	}
	n := 0
	for _, p := range pages {
		if !p.index {
			n++
		}
	}
	return &Result{Doc: doc, Warnings: warns, Pages: n}, nil
}

// readPages reads every page of the sources, in name order, spreading the
// YAML and JSON parsing over the machine's cores.
func readPages(sources []Source, ps *problems) []*page {
	type job struct {
		src         Source
		name, shown string
		page        *page
		ps          problems
	}
	var jobs []*job
	for _, src := range sources {
		err := fs.WalkDir(src.FS, ".", func(name string, d fs.DirEntry, err error) error {
			shown := path.Join(src.Name, name)
			if err != nil {
				ps.errorf(shown, 0, "", "cannot read: %v", fileio.PathError(err))
				return nil
			}
			if !d.IsDir() && strings.HasSuffix(name, ".md") {
				jobs = append(jobs, &job{src: src, name: name, shown: shown})
			}
			return nil
		})
		if err != nil {
			ps.errorf(src.Name, 0, "", "cannot read folder: %v", err)
		}
	}
	next := make(chan *job)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(len(jobs), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				j.page = readPage(j.src.FS, j.name, j.shown, &j.ps)
				if j.page == nil {
					continue
				}
				for _, m := range j.page.methods {
					for _, b := range []*pageBody{m.requestBody, m.responseBody} {
						if b != nil && b.schema != "" && !b.placeholder() {
							_, _ = b.rawSchema()
						}
					}
				}
			}
		}()
	}
	for _, j := range jobs {
		next <- j
	}
	close(next)
	wg.Wait()
	var pages []*page
	for _, j := range jobs {
		*ps = append(*ps, j.ps...)
		if j.page != nil {
			pages = append(pages, j.page)
		}
	}
	return pages
}

type builder struct {
	bodies      map[string]*openapi3.SchemaRef
	ps          *problems
	schemas     *schemas
	errorSchema *openapi3.Schema
}

// entry is one page's description of one operation.
type entry struct {
	page   *page
	method pageMethod
}

func (e entry) placeholder() bool {
	return e.method.requestBody.placeholder() || e.method.responseBody.placeholder()
}

var templateParamRe = regexp.MustCompile(`\{([^{}/]*)\}`)

func (b *builder) build(pages []*page, opts Options) *openapi3.T {
	version := opts.Version
	if version == "" {
		version = "0.0.0"
	}
	doc := &openapi3.T{
		OpenAPI: "3.0.3",
		Info: &openapi3.Info{
			Title:       "Qumulo Core REST API",
			Version:     version,
			Description: "The REST API of a Qumulo Core cluster, converted by qapi from the Qumulo REST API guide pages.",
			Contact:     &openapi3.Contact{Name: "Qumulo REST API guide", URL: "https://docs.qumulo.com/rest-api-guide/"},
			License:     &openapi3.License{Name: "CC-BY-4.0", URL: "https://creativecommons.org/licenses/by/4.0/"},
		},
		Servers: openapi3.Servers{{
			URL:         "https://{host}:{port}",
			Description: "A Qumulo cluster; it serves HTTPS on port 8000 with a self-signed certificate by default.",
			Variables: map[string]*openapi3.ServerVariable{
				"host": {Default: "localhost", Description: "Cluster hostname or address."},
				"port": {Default: "8000", Description: "REST API port."},
			},
		}},
		Paths: openapi3.NewPaths(),
		Components: &openapi3.Components{
			Schemas: openapi3.Schemas{},
			SecuritySchemes: openapi3.SecuritySchemes{
				bearerScheme: &openapi3.SecuritySchemeRef{Value: &openapi3.SecurityScheme{
					Type:        "http",
					Scheme:      "bearer",
					Description: "A session token from POST /v1/session/login (session-v1:…, valid about 10 hours) or an access token (access-v1:…).",
				}},
			},
		},
	}

	indexes := map[string]*page{}
	ops := map[string][]entry{}
	for _, p := range pages {
		if p.index {
			indexes[p.dir] = p
			continue
		}
		if bad := strings.Count(p.restEndpoint, "{") != strings.Count(p.restEndpoint, "}") || strings.Contains(templateParamRe.ReplaceAllString(p.restEndpoint, ""), "{"); bad {
			b.ps.errorf(p.file, 0, "", "rest_endpoint %q has unbalanced braces", p.restEndpoint)
			continue
		}
		for _, m := range p.methods {
			key := m.method + " " + p.restEndpoint
			ops[key] = append(ops[key], entry{page: p, method: m})
		}
	}
	keys := make([]string, 0, len(ops))
	for k := range ops {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		mi, pi, _ := strings.Cut(keys[i], " ")
		mj, pj, _ := strings.Cut(keys[j], " ")
		if pi != pj {
			return pi < pj
		}
		return mi < mj
	})
	for _, k := range keys {
		for _, e := range ops[k] {
			for _, body := range []*pageBody{e.method.requestBody, e.method.responseBody} {
				if body != nil && body.schema != "" && !body.placeholder() {
					if raw, err := body.rawSchema(); err == nil {
						b.schemas.collectTypeNames(raw, schemaSite{})
					}
				}
			}
		}
	}

	b.schemas.finishCollect()

	tags := map[string]*openapi3.Tag{}
	// Two operations may get one name; Build reports that after the
	// overlays, which can rename one of them.
	ids := operationIDs(keys)
	for _, k := range keys {
		method, tmpl, _ := strings.Cut(k, " ")
		chosen, others := b.merge(k, ops[k])
		op := b.operation(ids[k], method, tmpl, chosen)
		for _, e := range append([]entry{chosen}, others...) {
			tag := tagName(e.page)
			if tags[tag] == nil {
				tags[tag] = b.tag(tag, e.page, indexes)
			}
			if !contains(op.Tags, tag) {
				op.Tags = append(op.Tags, tag)
			}
		}
		sort.Strings(op.Tags)
		item := doc.Paths.Value(tmpl)
		if item == nil {
			item = &openapi3.PathItem{}
			doc.Paths.Set(tmpl, item)
		}
		item.SetOperation(strings.ToUpper(method), op)
	}
	names := make([]string, 0, len(tags))
	for n := range tags {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		doc.Tags = append(doc.Tags, tags[n])
	}
	for name, c := range b.schemas.components {
		doc.Components.Schemas[name] = &openapi3.SchemaRef{Value: c.schema}
	}
	doc.Components.Schemas[ErrorSchemaName] = &openapi3.SchemaRef{Value: b.errorSchema}
	return doc
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// merge picks the page that describes an operation. Identical descriptions
// merge; a placeholder yields to a described page; described pages that
// disagree are an error naming both.
func (b *builder) merge(key string, entries []entry) (entry, []entry) {
	var described, placeholders []entry
	for _, e := range entries {
		if e.placeholder() {
			placeholders = append(placeholders, e)
		} else {
			described = append(described, e)
		}
	}
	if len(described) == 0 {
		chosen := placeholders[0]
		return chosen, placeholders[1:]
	}
	chosen := described[0]
	var same []entry
	for _, e := range described[1:] {
		if !sameMethod(e.method, chosen.method) {
			b.ps.errorf(e.page.file, e.method.line, "", "%s is described differently here and in %s", strings.ToUpper(key), chosen.method.where(chosen.page))
			continue
		}
		same = append(same, e)
	}
	return chosen, same
}

// sameMethod says whether two pages describe an operation the same way;
// schemas are compared parsed, so their layout does not matter.
func sameMethod(a, b pageMethod) bool {
	if a.summary != b.summary || !reflect.DeepEqual(a.responses, b.responses) || len(a.parameters) != len(b.parameters) {
		return false
	}
	for i, p := range a.parameters {
		q := b.parameters[i]
		if p.name != q.name || p.description != q.description || p.required != q.required {
			return false
		}
	}
	return sameBody(a.requestBody, b.requestBody) && sameBody(a.responseBody, b.responseBody)
}

func sameBody(a, b *pageBody) bool {
	if a == nil || a.schema == "" || b == nil || b.schema == "" {
		return (a == nil || a.schema == "") == (b == nil || b.schema == "")
	}
	if a.example != b.example {
		return false
	}
	ra, errA := a.rawSchema()
	rb, errB := b.rawSchema()
	if errA != nil || errB != nil {
		return a.schema == b.schema
	}
	return reflect.DeepEqual(ra, rb)
}

func tagName(p *page) string {
	if t := strings.Trim(p.category, "/ "); t != "" {
		return t
	}
	return path.Base(p.dir)
}

func (b *builder) tag(name string, p *page, indexes map[string]*page) *openapi3.Tag {
	t := &openapi3.Tag{Name: name, Description: name + " operations."}
	if idx := indexes[p.dir]; idx != nil {
		if idx.summary != "" {
			t.Description = idx.summary
		}
		if idx.title != "" && idx.title != name {
			t.Extensions = map[string]any{"x-displayName": idx.title}
		}
	}
	return t
}

func errorSchema() *openapi3.Schema {
	str := func(d string) *openapi3.SchemaRef {
		return &openapi3.SchemaRef{Value: &openapi3.Schema{Type: &openapi3.Types{"string"}, Description: d}}
	}
	return &openapi3.Schema{
		Type:        &openapi3.Types{"object"},
		Description: "The error body a Qumulo cluster answers with.",
		Required:    []string{"module", "error_class", "description"},
		Properties: openapi3.Schemas{
			"module":       str("The server module that raised the error."),
			"error_class":  str("The error class, such as fs_no_such_entry_error."),
			"description":  str("What went wrong, for people."),
			"user_visible": {Value: &openapi3.Schema{Type: &openapi3.Types{"boolean"}, Description: "Whether the description is meant for end users."}},
			"stack": {Value: &openapi3.Schema{
				Description: "Server stack trace: a list of strings on most errors, a string on some.",
				OneOf: openapi3.SchemaRefs{
					{Value: &openapi3.Schema{Type: &openapi3.Types{"array"}, Items: str("")}},
					str(""),
				},
			}},
		},
	}
}

func (b *builder) operation(id, method, tmpl string, e entry) *openapi3.Operation {
	m, p := e.method, e.page
	op := &openapi3.Operation{
		OperationID: id,
		Summary:     firstSentence(m.summary),
		Description: m.summary,
		Extensions:  map[string]any{"x-qapi-source": p.file},
		Responses:   openapi3.NewResponses(),
	}
	if op.Summary == "" {
		op.Summary = strings.ToUpper(method) + " " + tmpl
		op.Description = op.Summary
	}
	if strings.HasPrefix(m.summary, "Deprecated") {
		// "Deprecated. Use /v1/x instead.": the whole text is the summary.
		op.Deprecated = true
		op.Summary = m.summary
	}
	if unauthenticated[method+" "+tmpl] {
		op.Security = &openapi3.SecurityRequirements{}
	} else {
		op.Security = &openapi3.SecurityRequirements{{bearerScheme: []string{}}}
	}
	op.Parameters = b.parameters(tmpl, e)
	if rb := m.requestBody; rb != nil && rb.schema != "" {
		op.RequestBody = &openapi3.RequestBodyRef{Value: &openapi3.RequestBody{
			Required: true,
			Content: b.content(rb, p, schemaSite{file: p.file, line: rb.schemaLine, name: id + "Request",
				settable: method == "put" || method == "patch"}),
		}}
		op.RequestBody.Value.Description = "Request body."
	}
	codes := map[string]string{}
	for _, r := range m.responses {
		codes[r.code] = r.description
	}
	rb := m.responseBody
	if len(codes) == 0 {
		code := "200"
		if rb != nil && rb.statusCode != "" {
			if _, err := strconv.Atoi(rb.statusCode); err == nil && len(rb.statusCode) == 3 {
				code = rb.statusCode
			} else {
				b.ps.errorf(p.file, rb.line, "", "status_code %q is not an HTTP status code", rb.statusCode)
			}
		}
		desc := "Return value on success"
		if rb != nil && rb.description != "" {
			desc = rb.description
		}
		codes[code] = desc
	}
	sorted := make([]string, 0, len(codes))
	for c := range codes {
		sorted = append(sorted, c)
	}
	sort.Strings(sorted)
	for i, c := range sorted {
		desc := codes[c]
		if desc == "" {
			desc = "Status " + c
		}
		resp := &openapi3.Response{Description: &desc}
		if i == 0 && rb != nil && rb.schema != "" {
			// Not …Response: oapi-codegen's client names its response
			// type so.
			resp.Content = b.content(rb, p, schemaSite{file: p.file, line: rb.schemaLine, name: id + "Result"})
		}
		code, _ := strconv.Atoi(c)
		op.Responses.Set(strconv.Itoa(code), &openapi3.ResponseRef{Value: resp})
	}
	errDesc := "A Qumulo error: 4xx for a bad request, a missing or expired token (401), a missing entry (404), a conflict (409) or a stale If-Match (412); 5xx for a server fault."
	op.Responses.Set("default", &openapi3.ResponseRef{Value: &openapi3.Response{
		Description: &errDesc,
		Content:     openapi3.NewContentWithJSONSchemaRef(openapi3.NewSchemaRef(componentPrefix+ErrorSchemaName, b.errorSchema)),
	}})
	return op
}

func (b *builder) content(body *pageBody, p *page, site schemaSite) openapi3.Content {
	mt := &openapi3.MediaType{Schema: &openapi3.SchemaRef{Value: &openapi3.Schema{}}}
	if body.placeholder() {
		b.ps.warnf(p.file, body.schemaLine, "", "schema is a %q placeholder and no other page describes it: the body is left untyped", placeholder)
	} else if raw, err := body.rawSchema(); err != nil {
		var deep *depthError
		ptr := ""
		if errors.As(err, &deep) {
			ptr = deep.pointer
		}
		b.ps.errorf(p.file, body.schemaLine, ptr, "%v", err)
	} else {
		// A body schema used by several operations (a GET and a PUT of the
		// same settings) converts once.
		key := body.schema + "\x00" + site.name
		if t := site.typeName(raw); t != "" {
			key = body.schema + "\x00" + t
		}
		if cached, ok := b.bodies[key]; ok {
			mt.Schema = cached
		} else {
			mt.Schema = b.schemas.convert(raw, site)
			b.bodies[key] = mt.Schema
		}
	}
	if body.exampleSet {
		var ex any
		var deep *depthError
		switch err := json.Unmarshal([]byte(body.example), &ex); {
		case strings.TrimSpace(body.example) == placeholder || ex == placeholder:
			b.ps.warnf(p.file, body.exampleLine, "", "example_value is a %q placeholder and was dropped", placeholder)
		case err != nil:
			b.ps.warnf(p.file, body.exampleLine, "", "example_value is not JSON (%v) and was dropped", err)
		case errors.As(tooDeep(ex, "", false, 0, 0), &deep):
			b.ps.warnf(p.file, body.exampleLine, deep.pointer, "example_value was dropped: %v", deep)
		default:
			mt.Example = ex
		}
	}
	return openapi3.Content{"application/json": mt}
}

func (b *builder) parameters(tmpl string, e entry) openapi3.Parameters {
	listed := map[string]pageParam{}
	var out openapi3.Parameters
	for _, prm := range e.method.parameters {
		if _, dup := listed[prm.name]; dup {
			b.ps.errorf(e.page.file, prm.line, "", "parameter %q is listed twice", prm.name)
			continue
		}
		listed[prm.name] = prm
	}
	inTemplate := map[string]bool{}
	for _, m := range templateParamRe.FindAllStringSubmatch(tmpl, -1) {
		name := m[1]
		inTemplate[name] = true
		desc := "Path parameter " + name + " (used in the path template; the page does not describe it)."
		if prm, ok := listed[name]; ok && prm.description != "" {
			desc = prm.description
		}
		out = append(out, &openapi3.ParameterRef{Value: &openapi3.Parameter{
			Name: name, In: openapi3.ParameterInPath, Required: true, Description: desc,
			Schema: &openapi3.SchemaRef{Value: &openapi3.Schema{Type: &openapi3.Types{"string"}}},
		}})
	}
	for _, prm := range e.method.parameters {
		if inTemplate[prm.name] || listed[prm.name].line != prm.line {
			continue
		}
		if strings.ContainsAny(prm.name, "{}") {
			b.ps.errorf(e.page.file, prm.line, "", "path parameter %s is not in the path template %s", prm.name, tmpl)
			continue
		}
		in, schema := openapi3.ParameterInQuery, queryParamSchema(prm.name, prm.description)
		if strings.EqualFold(prm.name, "If-Match") {
			in, schema = openapi3.ParameterInHeader, &openapi3.Schema{Type: &openapi3.Types{"string"}}
		}
		out = append(out, &openapi3.ParameterRef{Value: &openapi3.Parameter{
			Name: prm.name, In: in, Required: prm.required, Description: prm.description,
			Schema: &openapi3.SchemaRef{Value: schema},
		}})
	}
	return out
}
