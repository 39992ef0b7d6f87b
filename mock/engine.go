package mock

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"

	"github.com/qapitools/qapi/internal/oas"
)

// engine answers every operation without a typed handler from the schemas
// alone, keeping what clients write.
type engine struct {
	m    *Mock
	seed uint64
	// creates maps a POST on a collection to the path template of its
	// items, e.g. /v2/nfs/exports/ → /v2/nfs/exports/{export_id}.
	creates map[*openapi3.Operation]string
	// gets maps a path template to its GET, the base of a PATCH on a
	// resource never written and the shape of a collection listing.
	gets map[string]*openapi3.Operation
	// collections are the path templates POST creates items under.
	collections map[string]bool

	mu  sync.RWMutex
	res map[string]*resource // by concrete path without trailing slash
	// kids indexes res by parent path, so listing a collection and
	// removing a subtree cost what they touch, not the whole store.
	kids   map[string]map[string]struct{}
	nextID uint64
}

// resource is the stored state of one path.
type resource struct {
	value   any
	rev     uint64
	deleted bool
}

func newEngine(m *Mock) *engine {
	e := &engine{m: m, seed: uint64(m.cfg.seed), creates: map[*openapi3.Operation]string{}, gets: map[string]*openapi3.Operation{}, collections: map[string]bool{}, res: map[string]*resource{}, kids: map[string]map[string]struct{}{}}
	for path, item := range m.doc.Paths.Map() {
		if item.Get != nil {
			e.gets[path] = item.Get
		}
		if item.Post == nil {
			continue
		}
		if itemPath, _, ok := oas.ItemOf(m.doc, path); ok {
			e.creates[item.Post] = itemPath
			e.collections[path] = true
		}
	}
	return e
}

// key is where a concrete path's state lives; a trailing slash does not
// make another resource.
func key(path string) string {
	if k := strings.TrimSuffix(path, "/"); k != "" {
		return k
	}
	return "/"
}

func (e *engine) serve(w http.ResponseWriter, r *http.Request, route *routers.Route, params map[string]string, body []byte) error {
	var in any
	if len(bytes.TrimSpace(body)) > 0 {
		if err := json.Unmarshal(body, &in); err != nil {
			return newError(errBadRequest, "request body: invalid JSON: %v", err)
		}
	}
	k := key(r.URL.EscapedPath())
	gen := oas.NewGenerator(e.seed, k, oas.Response)
	gen.Names = params
	op := route.Operation
	switch route.Method {
	case http.MethodGet:
		return e.get(w, r, route, gen, k)
	case http.MethodPut, http.MethodPatch:
		e.mu.Lock()
		cur := e.res[k]
		var rev uint64
		var base any
		if cur != nil && !cur.deleted {
			rev, base = cur.rev, cur.value
		}
		if !ifMatches(r.Context(), etag(rev)) {
			e.mu.Unlock()
			return preconditionFailed(r.Context(), etag(rev))
		}
		next := in
		if route.Method == http.MethodPatch {
			if base == nil {
				base = e.initial(route.Path, k, params)
			}
			next = mergePatch(base, in)
		}
		rev = e.m.revision.Add(1)
		e.put(k, &resource{value: next, rev: rev})
		e.mu.Unlock()
		return e.respond(w, op, gen, next, etag(rev))
	case http.MethodDelete:
		e.mu.Lock()
		cur := e.res[k]
		if cur != nil && cur.deleted {
			e.mu.Unlock()
			return newError(errNoSuchEntry, "no such entry: %s", r.URL.Path)
		}
		var rev uint64
		if cur != nil {
			rev = cur.rev
		}
		if !ifMatches(r.Context(), etag(rev)) {
			e.mu.Unlock()
			return preconditionFailed(r.Context(), etag(rev))
		}
		// Items under a removed resource go with it.
		e.removeBelow(k)
		e.put(k, &resource{rev: e.m.revision.Add(1), deleted: true})
		e.mu.Unlock()
		return e.respond(w, op, gen, nil, "")
	case http.MethodPost:
		// A POST is checked against the ETag of the path it is sent to.
		itemTemplate, creates := e.creates[op]
		if !creates {
			e.mu.RLock()
			cur := e.currentTag(k)
			e.mu.RUnlock()
			if !ifMatches(r.Context(), cur) {
				return preconditionFailed(r.Context(), cur)
			}
			// An action: nothing to keep, answer what the schema says.
			return e.respond(w, op, gen, nil, "")
		}
		body, _ := in.(map[string]any)
		e.mu.Lock()
		if cur := e.currentTag(k); !ifMatches(r.Context(), cur) {
			e.mu.Unlock()
			return preconditionFailed(r.Context(), cur)
		}
		e.nextID++
		id := strconv.FormatUint(e.nextID, 10)
		item := key(k + "/" + id)
		// A new item has what the request set and, for the rest, what
		// its GET would answer had it never been written.
		itemParams := map[string]string{}
		for name, v := range params {
			itemParams[name] = v
		}
		if open := strings.LastIndex(itemTemplate, "{"); open >= 0 {
			itemParams[strings.Trim(itemTemplate[open:], "{}/")] = id
		}
		var merged any = e.initial(itemTemplate, item, itemParams)
		if body != nil {
			merged = mergePatch(merged, body)
		}
		obj, _ := merged.(map[string]any)
		if obj == nil {
			obj = map[string]any{}
		}
		if cur := e.res[k]; cur != nil && cur.deleted {
			// Creating under a removed collection brings it back.
			e.remove(k)
		}
		if idSchema := e.idSchema(op, itemTemplate); idSchema != nil {
			if idSchema.Type.Is("integer") || idSchema.Type.Is("number") {
				obj["id"] = e.nextID
			} else {
				obj["id"] = id
			}
		}
		rev := e.m.revision.Add(1)
		e.put(item, &resource{value: obj, rev: rev})
		e.mu.Unlock()
		w.Header().Set("Location", item)
		return e.respond(w, op, oas.NewGenerator(e.seed, item, oas.Response), obj, etag(rev))
	}
	return e.respond(w, op, gen, nil, "")
}

// currentTag is the ETag of a path now. The caller holds the lock.
func (e *engine) currentTag(k string) string {
	if cur := e.res[k]; cur != nil {
		return etag(cur.rev)
	}
	return etag(0)
}

// idSchema is the schema of the "id" property of the items a POST creates,
// from the POST's answer or the item's GET, when either has one.
func (e *engine) idSchema(post *openapi3.Operation, itemTemplate string) *openapi3.Schema {
	for _, op := range []*openapi3.Operation{post, e.gets[itemTemplate]} {
		if op == nil {
			continue
		}
		_, _, ref := oas.Success(op)
		if ref == nil || ref.Value == nil {
			continue
		}
		if p := ref.Value.Properties["id"]; p != nil && p.Value != nil {
			return p.Value
		}
	}
	return nil
}

// initial is the value a resource has before anyone writes it: what its GET
// would answer. The caller holds the lock.
func (e *engine) initial(template, k string, params map[string]string) any {
	op := e.gets[template]
	if op == nil {
		return map[string]any{}
	}
	g := oas.NewGenerator(e.seed, k, oas.Response)
	g.Names = params
	_, media, ref := oas.Success(op)
	return e.fresh(g, media, ref)
}

// fresh is the value of a resource never written: an example of the
// response wins over a generated value.
func (e *engine) fresh(g *oas.Generator, media *openapi3.MediaType, ref *openapi3.SchemaRef) any {
	if media != nil && ref != nil && ref.Value != nil {
		if media.Example != nil && ref.Value.VisitJSON(media.Example, openapi3.VisitAsResponse()) == nil {
			return oas.DeepCopy(media.Example)
		}
		for _, name := range slices.Sorted(maps.Keys(media.Examples)) {
			ex := media.Examples[name]
			if ex != nil && ex.Value != nil && ex.Value.Value != nil && ref.Value.VisitJSON(ex.Value.Value, openapi3.VisitAsResponse()) == nil {
				return oas.DeepCopy(ex.Value.Value)
			}
		}
	}
	return g.Value(ref)
}

func (e *engine) get(w http.ResponseWriter, r *http.Request, route *routers.Route, g *oas.Generator, k string) error {
	e.mu.RLock()
	cur := e.res[k]
	var (
		value    any
		rev      uint64
		stored   bool
		children []any
	)
	if cur != nil {
		if cur.deleted {
			e.mu.RUnlock()
			return newError(errNoSuchEntry, "no such entry: %s", r.URL.Path)
		}
		value, rev, stored = cur.value, cur.rev, true
	}
	if e.collections[route.Path] {
		children = e.children(k)
	}
	e.mu.RUnlock()
	var out any // nil: never written, respond generates it
	switch {
	case children != nil:
		_, _, ref := oas.Success(route.Operation)
		out = listing(g, ref, children)
	case stored:
		out = value
	}
	return e.respond(w, route.Operation, g, out, etag(rev))
}

// parent is the path a resource is listed under.
func parent(k string) string {
	if i := strings.LastIndexByte(k, '/'); i > 0 {
		return k[:i]
	}
	return "/"
}

// put stores a resource and indexes it. The caller holds the lock.
func (e *engine) put(k string, r *resource) {
	e.res[k] = r
	p := parent(k)
	if p == k {
		return // the root is nobody's child
	}
	if e.kids[p] == nil {
		e.kids[p] = map[string]struct{}{}
	}
	e.kids[p][k] = struct{}{}
}

// remove forgets a resource. The caller holds the lock.
func (e *engine) remove(k string) {
	delete(e.res, k)
	if set := e.kids[parent(k)]; set != nil {
		delete(set, k)
		if len(set) == 0 {
			delete(e.kids, parent(k))
		}
	}
}

// removeBelow forgets everything under k. The caller holds the lock.
func (e *engine) removeBelow(k string) {
	for c := range e.kids[k] {
		if c == k {
			continue
		}
		e.removeBelow(c)
		delete(e.res, c)
	}
	delete(e.kids, k)
}

// children lists the live items right under a collection, oldest first.
// The caller holds the lock.
func (e *engine) children(k string) []any {
	type item struct {
		rev uint64
		v   any
	}
	var items []item
	for c := range e.kids[k] {
		if res := e.res[c]; res != nil && !res.deleted {
			items = append(items, item{res.rev, res.value})
		}
	}
	if items == nil {
		return nil
	}
	sort.Slice(items, func(i, j int) bool { return items[i].rev < items[j].rev })
	out := make([]any, len(items))
	for i, it := range items {
		out[i] = it.v
	}
	return out
}

// listing puts a collection's items where its answer keeps a list: the
// answer itself when it is an array, else its first array property.
func listing(g *oas.Generator, ref *openapi3.SchemaRef, items []any) any {
	if ref == nil || ref.Value == nil {
		return items
	}
	s := ref.Value
	if s.Type.Is("array") {
		return items
	}
	obj, ok := g.Value(ref).(map[string]any)
	if !ok {
		return items
	}
	for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
		if p := s.Properties[name]; p != nil && p.Value != nil && p.Value.Type.Is("array") {
			obj[name] = items
			break
		}
	}
	return obj
}

// respond writes an operation's success answer. A value given is shaped to
// the response schema; with none, one is generated; an operation that
// documents no body answers none.
func (e *engine) respond(w http.ResponseWriter, op *openapi3.Operation, g *oas.Generator, v any, tag string) error {
	status, media, ref := oas.Success(op)
	if tag != "" {
		w.Header().Set("ETag", tag)
	}
	if media == nil || status == http.StatusNoContent {
		w.WriteHeader(status)
		return nil
	}
	if v == nil {
		v = e.fresh(g, media, ref)
	} else {
		v = project(g, v, ref)
	}
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(data, '\n'))
	return nil
}
