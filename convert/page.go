package convert

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/qapitools/qapi/internal/fileio"
	"gopkg.in/yaml.v3"
)

// placeholder is what the pages say where a schema or example was never written.
const placeholder = "TO DO"

var knownMethods = map[string]bool{"get": true, "put": true, "post": true, "patch": true, "delete": true, "head": true, "options": true}

// page is one doc page: an endpoint page or an index.md landing page.
type page struct {
	file         string // path shown in problems and in x-qapi-source
	dir          string // folder of the page, slash-separated, relative to its root
	index        bool
	category     string
	restEndpoint string
	title        string
	summary      string
	methods      []pageMethod
}

type pageMethod struct {
	method       string
	line         int
	summary      string
	parameters   []pageParam
	requestBody  *pageBody
	responseBody *pageBody
	responses    []pageResponse
}

type pageParam struct {
	name        string
	description string
	required    bool
	line        int
}

type pageBody struct {
	line       int // line of the body key
	schemaLine int
	// schema is the raw schema text; empty when absent.
	schema  string
	example string
	// exampleSet is true when example_value was given.
	exampleSet  bool
	exampleLine int
	description string
	statusCode  string

	parsed   map[string]any
	parseErr error
	didParse bool
}

// rawSchema parses the schema text once; every later use shares the result.
func (b *pageBody) rawSchema() (map[string]any, error) {
	if !b.didParse {
		b.parsed, b.parseErr = parseSchema(b.schema)
		b.didParse = true
	}
	return b.parsed, b.parseErr
}

type pageResponse struct {
	code        string
	description string
}

func (b *pageBody) placeholder() bool {
	return b != nil && strings.TrimSpace(b.schema) == placeholder
}

// frontMatter splits a page into its YAML front matter and the line on which
// that YAML starts.
func frontMatter(data []byte) ([]byte, int, error) {
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	if !bytes.HasPrefix(data, []byte("---\n")) {
		return nil, 0, errors.New("no front matter: the page must start with a line '---'")
	}
	rest := data[4:]
	end := bytes.Index(rest, []byte("\n---"))
	if end < 0 {
		return nil, 0, errors.New("front matter is not closed by a line '---'")
	}
	after := rest[end+4:]
	if len(after) > 0 && after[0] != '\n' {
		return nil, 0, errors.New("front matter is not closed by a line '---'")
	}
	return rest[:end+1], 2, nil
}

// linkOutside tells whether name resolves outside fsys (its root) through
// symbolic links, in any element of its path (a link to a folder outside
// holds pages too), following links up to a depth; a folder of pages must
// not make the converter read, and publish in a spec, any file a link
// names. target is the first link on the way. An fs.FS that cannot read
// links (Go's embed, a zip) has none.
func linkOutside(fsys fs.FS, name string) (target string, outside bool) {
	rl, ok := fsys.(fs.ReadLinkFS)
	if !ok {
		return "", false
	}
	rest, resolved, hops := strings.Split(name, "/"), ".", 0
	for len(rest) > 0 {
		next := path.Join(resolved, rest[0])
		rest = rest[1:]
		if next == ".." || strings.HasPrefix(next, "../") {
			return target, true
		}
		info, err := rl.Lstat(next)
		if err != nil {
			return "", false // the read that follows says what is wrong
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			resolved = next
			continue
		}
		link, err := rl.ReadLink(next)
		if err != nil {
			return "", false
		}
		if target == "" {
			target = link
		}
		if hops++; hops > 40 || path.IsAbs(link) || filepath.IsAbs(link) {
			return target, true // a loop, too deep to tell, or absolute
		}
		// Resolve what the link names, then the rest, from the start.
		rest = append(strings.Split(path.Join(resolved, filepath.ToSlash(link)), "/"), rest...)
		resolved = "."
	}
	return "", false
}

var yamlLineRe = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// readPage parses one page. Problems are appended to ps; the page is nil when
// nothing usable could be read.
func readPage(fsys fs.FS, name, shown string, ps *problems) *page {
	if target, outside := linkOutside(fsys, name); outside {
		ps.errorf(shown, 0, "", "page is a symbolic link to %s, outside the docs folder: not read", target)
		return nil
	}
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		ps.errorf(shown, 0, "", "cannot read page: %v", fileio.PathError(err))
		return nil
	}
	fm, first, err := frontMatter(data)
	if err != nil {
		ps.errorf(shown, 1, "", "%v", err)
		return nil
	}
	var root yaml.Node
	if err := yaml.Unmarshal(fm, &root); err != nil {
		line, msg := 0, err.Error()
		if m := yamlLineRe.FindStringSubmatch(msg); m != nil {
			n, _ := strconv.Atoi(m[1])
			line, msg = n+first-1, m[2]
		}
		ps.errorf(shown, line, "", "front matter is not valid YAML: %s", msg)
		return nil
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		ps.errorf(shown, first, "", "front matter is not a YAML mapping")
		return nil
	}
	r := reader{file: shown, offset: first - 1, ps: ps}
	p := &page{file: shown, dir: path.Dir(name), index: path.Base(name) == "index.md"}
	m := root.Content[0]
	r.str(m, "category", &p.category)
	r.str(m, "rest_endpoint", &p.restEndpoint)
	r.str(m, "title", &p.title)
	r.str(m, "summary", &p.summary)
	if p.index {
		return p
	}
	if p.restEndpoint == "" {
		ps.errorf(shown, first, "", "page has no rest_endpoint")
		return nil
	}
	if !strings.HasPrefix(p.restEndpoint, "/") {
		ps.errorf(shown, r.line(m, "rest_endpoint"), "", "rest_endpoint %q does not start with '/'", p.restEndpoint)
		return nil
	}
	for _, seg := range strings.Split(p.restEndpoint, "/") {
		// A client or server resolves these away, so the path would name
		// another resource than the page documents.
		if seg == ".." || seg == "." {
			ps.errorf(shown, r.line(m, "rest_endpoint"), "", "rest_endpoint %q has a %q segment", p.restEndpoint, seg)
			return nil
		}
	}
	methods := child(m, "methods")
	if methods == nil || methods.Kind != yaml.MappingNode {
		ps.errorf(shown, first, "", "page has no methods mapping")
		return nil
	}
	for i := 0; i+1 < len(methods.Content); i += 2 {
		k, v := methods.Content[i], methods.Content[i+1]
		meth := strings.ToLower(k.Value)
		if !knownMethods[meth] {
			ps.errorf(shown, r.at(k), "", "unknown method %q (want one of delete, get, head, options, patch, post, put)", k.Value)
			continue
		}
		p.methods = append(p.methods, r.method(meth, k, v))
	}
	sort.Slice(p.methods, func(i, j int) bool { return p.methods[i].method < p.methods[j].method })
	return p
}

// reader decodes front-matter nodes and reports problems with file lines.
type reader struct {
	file   string
	offset int
	ps     *problems
}

func (r reader) at(n *yaml.Node) int { return n.Line + r.offset }

func (r reader) line(m *yaml.Node, key string) int {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return r.at(m.Content[i])
		}
	}
	return r.at(m)
}

func child(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func (r reader) str(m *yaml.Node, key string, dst *string) {
	n := child(m, key)
	if n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		return
	}
	if n.Kind != yaml.ScalarNode {
		r.ps.errorf(r.file, r.at(n), "", "%s must be a string", key)
		return
	}
	*dst = n.Value
}

func (r reader) method(meth string, k, v *yaml.Node) pageMethod {
	pm := pageMethod{method: meth, line: r.at(k)}
	if v.Kind != yaml.MappingNode {
		r.ps.errorf(r.file, r.at(v), "", "method %s must be a mapping", meth)
		return pm
	}
	r.str(v, "summary", &pm.summary)
	if params := child(v, "parameters"); params != nil && params.Tag != "!!null" {
		if params.Kind != yaml.SequenceNode {
			r.ps.errorf(r.file, r.at(params), "", "%s parameters must be a list", meth)
		} else {
			for _, pn := range params.Content {
				pm.parameters = append(pm.parameters, r.param(pn))
			}
		}
	}
	pm.requestBody = r.body(v, "request_body")
	pm.responseBody = r.body(v, "response_body")
	if rs := child(v, "responses"); rs != nil && rs.Tag != "!!null" {
		if rs.Kind != yaml.SequenceNode {
			r.ps.errorf(r.file, r.at(rs), "", "%s responses must be a list", meth)
		} else {
			for _, rn := range rs.Content {
				var resp pageResponse
				r.str(rn, "code", &resp.code)
				r.str(rn, "description", &resp.description)
				if _, err := strconv.Atoi(resp.code); err != nil || len(resp.code) != 3 {
					r.ps.errorf(r.file, r.at(rn), "", "response code %q is not an HTTP status code", resp.code)
					continue
				}
				pm.responses = append(pm.responses, resp)
			}
		}
	}
	return pm
}

func (r reader) param(n *yaml.Node) pageParam {
	p := pageParam{line: r.at(n)}
	if n.Kind != yaml.MappingNode {
		r.ps.errorf(r.file, r.at(n), "", "parameter must be a mapping with name, description and required")
		return p
	}
	r.str(n, "name", &p.name)
	r.str(n, "description", &p.description)
	if p.name == "" {
		r.ps.errorf(r.file, r.at(n), "", "parameter has no name")
	}
	if req := child(n, "required"); req != nil {
		if err := req.Decode(&p.required); err != nil {
			r.ps.errorf(r.file, r.at(req), "", "parameter %q: required must be true or false, not %q", p.name, req.Value)
		}
	}
	return p
}

func (r reader) body(m *yaml.Node, key string) *pageBody {
	n := child(m, key)
	if n == nil || n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		r.ps.errorf(r.file, r.at(n), "", "%s must be a mapping", key)
		return nil
	}
	b := &pageBody{line: r.at(n)}
	if s := child(n, "schema"); s != nil {
		b.schemaLine = r.at(s)
		r.str(n, "schema", &b.schema)
	}
	if e := child(n, "example_value"); e != nil {
		b.exampleSet, b.exampleLine = true, r.at(e)
		r.str(n, "example_value", &b.example)
	}
	r.str(n, "description", &b.description)
	r.str(n, "status_code", &b.statusCode)
	return b
}

// String renders a location for messages.
func (pm pageMethod) where(p *page) string { return fmt.Sprintf("%s:%d", p.file, pm.line) }
