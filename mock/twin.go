package mock

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"

	"github.com/qapitools/qapi/internal/oas"
)

// What the twin knows of a Qumulo cluster beyond the schemas is data and
// small handlers, grouped in modules, one per resource family (files.go,
// jobs.go, identity.go, shares.go, s3.go, quotas.go, snapshots.go, cluster.go). The
// generic engine answers everything else from the schemas. Modules key on
// path templates without their version (/smb/shares, not /v2/smb/shares/):
// v1, v2 and v3 of an endpoint are views of one set of objects on a
// cluster, and the templates outlive operation and schema names.
//
// A few operations are typed handlers on the generated strict server
// instead (see typedServer), where gen's types say more than a map: state
// kept beside the store (tree-delete jobs, jobs.go), an answer that is not
// the item stored (an access key's secret, s3.go), a fixed answer (the
// version, cluster.go). They act on the engine's store under its lock.

// module is one resource family: data about its collections, handlers for
// the operations the schemas cannot describe, and what a fresh cluster has.
type module struct {
	// families describes collections by their shape (see shapeOf).
	families map[string]*family
	// resolvers map a shape to the resolver of the path parameter that
	// follows it, for items that live outside the engine's store (files).
	resolvers map[string]resolver
	// handlers answer operations by method and shape, such as
	// "POST /files/{}/entries"; they run with the engine's lock held.
	handlers map[string]handler
	// singletons are values a fresh cluster answers for settings and
	// status documents, merged over generated ones, by shape.
	singletons map[string]map[string]any
	// start sets up state a fresh cluster has beyond collection seeds,
	// once the module's seeds are in.
	start func(e *engine) error
}

// modules are the resource families the twin knows.
var modules = []module{filesModule, jobsModule, identityModule, sharesModule, s3Module, quotasModule, snapshotsModule, clusterModule}

// family is what the twin knows of one kind of item beyond its schema.
type family struct {
	// idField is the field holding the item's id ("id" by default).
	idField string
	// clientID makes the create name the item, by the request field
	// idFrom (idField by default): a bucket's name, a quota's directory id.
	// idOf, when set, names it by what it makes of the request instead (a
	// role member's auth id from an identity). Otherwise the twin assigns
	// ids.
	clientID bool
	idFrom   string
	idOf     func(e *engine, body map[string]any) (string, error)
	// keys are the fields besides the id by which a path may name an item
	// (a {ref} takes an id or a share name).
	keys []string
	// unique are fields no two items may share; a second create answers
	// exists.
	unique []string
	// fold makes keys and unique fields compare without case (role
	// names); only for collections outside any item.
	fold bool
	// idSpace shares one id counter between families (local users and
	// groups draw auth ids from one space); empty means the family's own.
	idSpace string
	// firstID is the first id the twin assigns (1 by default), and
	// format renders an id the twin assigns (decimal by default).
	firstID uint64
	format  func(n uint64) string
	// notFound and exists are the errors a missing or duplicate item
	// answers with.
	notFound, exists errorKind
	// seed are the items a fresh cluster has.
	seed []map[string]any
	// action marks a POST that is not a create (adding nodes).
	action bool
	// create checks and completes a new item before it is stored.
	create func(e *engine, c *call, item map[string]any) error
	// update checks and completes a new value of an existing item (PUT,
	// PATCH) before it is stored.
	update func(e *engine, c *call, key string, item map[string]any) error
	// remove checks and follows up the removal of an item.
	remove func(e *engine, c *call, key string, item map[string]any) error
}

// defaultFamily is a collection the modules say nothing about.
var defaultFamily = &family{idField: "id", notFound: errNoSuchEntry, exists: errInvalidRequest}

// resolver turns a path parameter into the segment the engine stores the
// item under, or refuses with the error the family answers.
type resolver func(e *engine, parent, value string) (string, error)

// handler answers one operation. It runs with the engine's lock held and
// returns the answer, which the engine writes after releasing the lock.
type handler func(e *engine, c *call) (answer, error)

// call is one validated request as a handler sees it.
type call struct {
	r      *http.Request
	route  *routers.Route
	params map[string]string
	body   any
	raw    []byte
	// key is where the request's resource lives in the store.
	key string
}

// object is the request body as an object, empty when it is not one.
func (c *call) object() map[string]any {
	if m, ok := c.body.(map[string]any); ok {
		return m
	}
	return map[string]any{}
}

// query is a query parameter of the request.
func (c *call) query(name string) string { return c.r.URL.Query().Get(name) }

// answer is what a handler has the engine write.
type answer struct {
	// value is shaped to the operation's response schema; nil answers a
	// generated value, unless raw or none is set.
	value any
	// raw is answered as is, as application/octet-stream, and then zeros
	// zero bytes (a file's tail that holds no data). A handler answers raw
	// it no longer changes: respond writes it after the lock is released.
	raw   []byte
	zeros int64
	// etag, when set, is answered in the ETag header.
	etag string
	// location, when set, is answered in the Location header.
	location string
}

// shapeOf is a path template without its version, parameters unnamed and
// no trailing slash: /v2/smb/shares/{ref} and /v1/smb/shares/{id} are both
// /smb/shares/{}.
func shapeOf(template string) string {
	_, rest := oas.Unversioned(template)
	segs := strings.Split(strings.Trim(rest, "/"), "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") {
			segs[i] = "{}"
		}
	}
	return "/" + strings.Join(segs, "/")
}

// plan is how the concrete paths of one template map to stored state.
type plan struct {
	segs []segment
	// list is the collection this template lists and a POST on it adds to.
	list *collection
	// item is the collection whose item this template names, if it does.
	item *collection
}

type segment struct {
	lit   string // a literal segment, or "" for a parameter
	param string
	// coll resolves the parameter to an item of that collection; res
	// resolves it otherwise; neither: the value is used as it is.
	coll *collection
	res  resolver
}

// collection is a family of collections across versions, such as the SMB
// shares of /v1, /v2 and /v3.
type collection struct {
	shape string
	fam   *family
	// itemTemplate is the newest item path template, the one whose GET
	// gives a new item's fields.
	itemTemplate string
	numericID    bool
}

// plans works out, once, the plan of every template in the document.
func (e *blueprint) plans(doc *openapi3.T) map[string]*plan {
	families := map[string]*family{}
	resolvers := map[string]resolver{}
	for _, mod := range modules {
		for shape, f := range mod.families {
			families[shape] = f
		}
		for shape, r := range mod.resolvers {
			resolvers[shape] = r
		}
	}
	colls := map[string]*collection{}
	for _, itemTemplate := range e.creates {
		shape := strings.TrimSuffix(shapeOf(itemTemplate), "/{}")
		fam := families[shape]
		if fam == nil {
			fam = defaultFamily
		}
		if fam.action {
			continue
		}
		c := colls[shape]
		if c == nil {
			c = &collection{shape: shape, fam: fam}
			colls[shape] = c
		}
		if c.itemTemplate == "" || itemTemplate > c.itemTemplate {
			c.itemTemplate = itemTemplate
			if s := idSchema(e.gets[itemTemplate], fam.idField); s != nil {
				c.numericID = s.Type.Is("integer") || s.Type.Is("number")
			}
		}
	}
	e.colls = colls
	for shape, c := range colls {
		if c.fam.fold && !strings.Contains(shape, "{}") {
			e.fold[shape] = true
		}
	}
	out := map[string]*plan{}
	for template := range doc.Paths.Map() {
		p := &plan{}
		_, rest := oas.Unversioned(template)
		segs := strings.Split(strings.Trim(rest, "/"), "/")
		shape := ""
		for _, s := range segs {
			if s == "" {
				continue
			}
			if name, ok := strings.CutPrefix(s, "{"); ok {
				seg := segment{param: strings.TrimSuffix(name, "}"), coll: colls[shape], res: resolvers[shape]}
				p.segs = append(p.segs, seg)
				shape += "/{}"
				continue
			}
			p.segs = append(p.segs, segment{lit: s})
			shape += "/" + s
		}
		if n := len(p.segs); n > 0 && p.segs[n-1].coll != nil {
			p.item = p.segs[n-1].coll
		}
		p.list = colls[shapeOf(template)]
		out[template] = p
	}
	return out
}

// moduleHandlers finds the operations of the document the modules answer.
func moduleHandlers(doc *openapi3.T) map[*openapi3.Operation]handler {
	byShape := map[string]handler{}
	for _, mod := range modules {
		for key, h := range mod.handlers {
			byShape[key] = h
		}
	}
	out := map[*openapi3.Operation]handler{}
	for template, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if h := byShape[method+" "+shapeOf(template)]; h != nil {
				out[op] = h
			}
		}
	}
	return out
}

// start gives the store what a fresh cluster has: each module's seeds and
// singletons, then whatever else it sets up.
func (e *engine) start() error {
	for _, mod := range modules {
		for _, shape := range slices.Sorted(maps.Keys(mod.families)) {
			coll := e.colls[shape]
			if coll == nil {
				continue
			}
			for _, seed := range coll.fam.seed {
				obj := objectOf(oas.DeepCopy(seed))
				id := scalarString(obj[coll.fam.idField])
				obj = objectOf(mergePatch(e.initial(coll.itemTemplate, shape+"/"+id, nil, true), obj))
				if _, err := e.insert(nil, coll, shape, id, obj); err != nil {
					return fmt.Errorf("seed %s %q: %w", shape, id, err)
				}
			}
		}
		for _, shape := range slices.Sorted(maps.Keys(mod.singletons)) {
			if template, ok := e.singletons[shape]; ok {
				v := mergePatch(e.initial(template, shape, nil, false), mod.singletons[shape])
				e.put(shape, &resource{value: v, rev: e.m.revision.Add(1)})
			}
		}
		if mod.start != nil {
			if err := mod.start(e); err != nil {
				return err
			}
		}
	}
	return nil
}
