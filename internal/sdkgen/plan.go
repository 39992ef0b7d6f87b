package sdkgen

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/qapitools/qapi/convert"
	"github.com/qapitools/qapi/internal/oas"
)

// Plan is every service and method the generator writes.
type Plan struct {
	Areas []*Area
}

// Area is one service: the operations whose paths share a first segment.
type Area struct {
	// Name is the Go name of the area, the client's field: SMB.
	Name string
	// Segment is the path segment it comes from: smb.
	Segment string
	// Ops are the operations, by method name.
	Ops []*Op
}

// Service is the name of the area's service type: SMBService.
func (a *Area) Service() string { return a.Name + "Service" }

// Op is one operation and the methods the generator writes for it.
type Op struct {
	// Area is the Go name of its area: SMB.
	Area string
	// Name is the method's name: ListShares.
	Name string
	// ID is the operationId, the name of gen's client method: ListSMBShares.
	ID string
	// Method and Path are the HTTP method and path template.
	Method, Path string
	// Summary is the page's summary of the operation.
	Summary    string
	Deprecated bool
	// IfMatch tells whether the operation documents an If-Match header.
	IfMatch bool
	// Accepted tells whether the operation answers 202 Accepted.
	Accepted bool
	// Seq is the name of the iterator method, or "" when the operation
	// does not page.
	Seq string
	// Wait is the name of the method that waits for a job this operation
	// reads, or "" when there is none.
	Wait string
	// Required lists the required query parameters, which the method's
	// params carry: a nil params is refused before anything is sent.
	Required []string

	shape   shape
	page    *paging
	list    *wrapped // the list the method returns instead of the answer
	waitsOn *Op      // the POST that starts the job a Wait method waits for
}

// Unwraps tells whether the method returns the one list of the answer
// rather than the answer.
func (o *Op) Unwraps() bool { return o.list != nil }

// HasParams tells whether the method takes gen's <ID>Params.
func (o *Op) HasParams() bool { return o.shape.params != "" }

// HasBody tells whether the method takes a request body.
func (o *Op) HasBody() bool { return o.shape.body != "" }

// Build plans the services for doc, whose Go shapes are in genSource (the
// source of package gen generated from doc).
func Build(doc *openapi3.T, genSource []byte) (*Plan, error) {
	g, err := parseGen(genSource)
	if err != nil {
		return nil, err
	}
	areas := map[string]*Area{}
	clashes := map[string]bool{}
	var errs []error
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		seg := areaSegment(path)
		if seg == "" {
			errs = append(errs, fmt.Errorf("%s: no segment after the version names an area", path))
			continue
		}
		name := convert.GoName(seg)
		a := areas[name]
		if a == nil {
			a = &Area{Name: name, Segment: seg}
			areas[name] = a
		} else if a.Segment != seg {
			pair := []string{a.Segment, seg}
			slices.Sort(pair)
			if msg := fmt.Sprintf("areas %s and %s are both named %s", pair[0], pair[1], name); !clashes[msg] {
				clashes[msg] = true
				errs = append(errs, errors.New(msg))
			}
			continue
		}
		for method, op := range item.Operations() {
			o, err := planOp(doc, g, a, path, method, item, op)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s %s (%s): %w", method, path, op.OperationID, err))
				continue
			}
			a.Ops = append(a.Ops, o)
		}
	}
	p := &Plan{}
	for _, name := range slices.Sorted(maps.Keys(areas)) {
		a := areas[name]
		slices.SortFunc(a.Ops, func(x, y *Op) int { return cmp.Compare(x.Name, y.Name) })
		p.Areas = append(p.Areas, a)
	}
	errs = append(errs, p.addWaits(doc)...)
	errs = append(errs, p.checkCollisions()...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return p, nil
}

// AreaOf is the Go name of the area of path, the client's field
// (/v3/smb/shares/ is SMB), or "" when no segment after the version names
// one.
func AreaOf(path string) string {
	seg := areaSegment(path)
	if seg == "" {
		return ""
	}
	return convert.GoName(seg)
}

// MethodName is the name of the method of operation id in area: the
// client's SMB.ListShares for ListSMBShares.
func MethodName(id, area string) string { return methodName(id, area) }

// areaSegment is the first segment of path after its version: smb in
// /v3/smb/shares/.
func areaSegment(path string) string {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	if len(segs) < 2 || !oas.IsVersion(segs[0]) || strings.HasPrefix(segs[1], "{") {
		return ""
	}
	return segs[1]
}

// methodName removes the first whole-word occurrence of area from id, after
// its first letter, and then the area's item from what is a verb and the
// item alone (see unstutter).
func methodName(id, area string) string {
	return unstutter(withoutArea(id, area), area)
}

// unstutter drops the item of an area named by a plural from a name that is
// one verb, the item and at most a version: Snapshots.CreateSnapshot is
// Snapshots.Create, Users.GetUser Users.Get, Snapshots.GetSnapshotV2
// Snapshots.GetV2. A name that says more keeps the item
// (Groups.ListGroupMembers, Files.CreateFileEntry), so the file's locks
// stay apart from the cluster's.
func unstutter(name, area string) string {
	item, ok := strings.CutSuffix(area, "s")
	if !ok || item == "" {
		return name
	}
	verb := 1
	for verb < len(name) && unicode.IsLower(rune(name[verb])) {
		verb++
	}
	rest, ok := strings.CutPrefix(name[verb:], item)
	// A version suffix (V2) is spelled as its path segment (v2).
	if !ok || (rest != "" && (rest[0] != 'V' || !oas.IsVersion(strings.ToLower(rest)))) {
		return name
	}
	return name[:verb] + rest
}

// withoutArea removes the first whole-word occurrence of area from id,
// after its first letter.
func withoutArea(id, area string) string {
	for i := 1; i+len(area) <= len(id); i++ {
		if id[i:i+len(area)] != area {
			continue
		}
		prev := rune(id[i-1])
		if !unicode.IsLower(prev) && !unicode.IsDigit(prev) {
			continue
		}
		if j := i + len(area); j < len(id) && !unicode.IsUpper(rune(id[j])) && !unicode.IsDigit(rune(id[j])) {
			continue
		}
		return id[:i] + id[i+len(area):]
	}
	return id
}

func planOp(doc *openapi3.T, g *genSource, a *Area, path, method string, item *openapi3.PathItem, op *openapi3.Operation) (*Op, error) {
	if op.OperationID == "" {
		return nil, errors.New("no operationId")
	}
	o := &Op{
		Area:       a.Name,
		Name:       methodName(op.OperationID, a.Name),
		ID:         op.OperationID,
		Method:     method,
		Path:       path,
		Summary:    strings.TrimSpace(op.Summary),
		Deprecated: op.Deprecated,
		IfMatch:    oas.TakesIfMatch(item, op),
		Accepted:   op.Responses.Status(http.StatusAccepted) != nil,
	}
	for _, p := range oas.Parameters(item, op) {
		if p.In == openapi3.ParameterInQuery && p.Required {
			o.Required = append(o.Required, p.Name)
		}
	}
	sh, err := g.shapeOf(op, streamedBody(op))
	if err != nil {
		return nil, err
	}
	// Integer ids are taken as the int64 the answers carry, and written
	// in decimal for gen's builder.
	ids := oas.IntegerIDs(doc, path)
	for i, a := range sh.args {
		for name, integer := range ids {
			if integer && a.typ == "string" && sameParam(a.name, name) {
				sh.args[i].typ, sh.args[i].decimal = "int64", true
				sh.imports = append(sh.imports, "strconv")
			}
		}
	}
	if streamedAnswer(op) {
		sh.streamResult = true
		sh.imports = append(sh.imports, "io")
	}
	o.shape = sh
	if method == http.MethodGet {
		pg, err := g.pagingOf(op, sh)
		if err != nil {
			return nil, err
		}
		if pg != nil {
			o.page = pg
			o.Seq = o.Name + "Seq"
		}
		// A list (List…) returns its items; a Get… that answers one list,
		// such as a configuration a Replace… sends back whole, keeps its
		// answer.
		if pg == nil && strings.HasPrefix(o.Name, "List") {
			if o.list, err = g.wrappedList(op, sh); err != nil {
				return nil, err
			}
		}
	}
	return o, nil
}

// addWaits gives the GET of each job a Wait method: the item of a
// collection named jobs whose POST answers 202.
func (p *Plan) addWaits(doc *openapi3.T) []error {
	var errs []error
	for _, a := range p.Areas {
		for _, o := range a.Ops {
			if o.Method != http.MethodPost || !o.Accepted || !strings.HasSuffix(o.Path, "/jobs/") {
				continue
			}
			itemPath, _, ok := oas.ItemOf(doc, o.Path)
			if !ok {
				continue
			}
			get := p.find(itemPath, http.MethodGet)
			if get == nil {
				continue
			}
			rest, ok := strings.CutPrefix(get.Name, "Get")
			if !ok || rest == "" {
				errs = append(errs, fmt.Errorf("GET %s (%s): a job's read is not named Get<Item>, so its wait method has no name", itemPath, get.ID))
				continue
			}
			get.Wait, get.waitsOn = "Wait"+rest, o
		}
	}
	return errs
}

func (p *Plan) find(path, method string) *Op {
	for _, a := range p.Areas {
		for _, o := range a.Ops {
			if o.Path == path && o.Method == method {
				return o
			}
		}
	}
	return nil
}

// checkCollisions reports two methods of one service with one name.
func (p *Plan) checkCollisions() []error {
	var errs []error
	for _, a := range p.Areas {
		seen := map[string]string{}
		for _, o := range a.Ops {
			for _, name := range []string{o.Name, o.Seq, o.Wait} {
				if name == "" {
					continue
				}
				if other, ok := seen[name]; ok {
					errs = append(errs, fmt.Errorf("%s.%s is the method of both %s and %s", a.Service(), name, other, o.ID))
					continue
				}
				seen[name] = o.ID
			}
		}
	}
	return errs
}

// Ops lists every operation of the plan, by area and method name.
func (p *Plan) Ops() []*Op {
	var ops []*Op
	for _, a := range p.Areas {
		ops = append(ops, a.Ops...)
	}
	return ops
}

// sameParam tells whether a Go argument gen's builder takes is the path
// parameter name (interfaceId for interface_id).
func sameParam(arg, name string) bool {
	return strings.EqualFold(arg, strings.ReplaceAll(name, "_", ""))
}
