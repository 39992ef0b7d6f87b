package mock

import (
	"cmp"
	"crypto/sha256"
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"

	"github.com/qapitools/qapi/internal/oas"
)

// engine answers every operation without a typed handler: the modules'
// handlers where they have one, else from the schemas alone, keeping what
// clients write.
type engine struct {
	m    *Mock
	seed uint64
	// blueprint is what the engine knows of the document: plans,
	// collections, module handlers (blueprint.go). It is shared with every
	// twin of the document and never changes.
	*blueprint
	// running counts tree-delete jobs not yet finished, so requests skip
	// the lock that finishes them while there are none.
	running atomic.Int64

	mu  sync.RWMutex
	res map[string]*resource // by storage key (see locate)
	// kids indexes res by parent key, so listing a collection and
	// removing a subtree cost what they touch, not the whole store.
	kids map[string]map[string]struct{}
	// alias maps a collection key and a natural key (a share name, an
	// export path) to the key of the item it names.
	alias  map[string]string
	nextID map[string]uint64
	fs     *fileSystem
	jobs   map[string]*treeDeleteJob
	// passwords are digests of local users' passwords, by auth id.
	passwords map[string][sha256.Size]byte
	// accessTokens are the access tokens' ids by digest of the bearer
	// token (access_tokens.go).
	accessTokens map[[sha256.Size]byte]string
}

// resource is the stored state of one key.
type resource struct {
	// value is copy-on-write: once stored it is never changed in place.
	// A read hands it out under the read lock and the answer is shaped
	// and marshalled after the lock is gone (serve), so a write stores a
	// new value (mergePatch and DeepCopy build one) and never edits the
	// maps or slices of the old one, which a reader may still be
	// encoding. Only start, before the twin serves, edits values in place.
	value any
	rev   uint64
	// deleted marks a singleton that was deleted; items are forgotten.
	deleted bool
	// item marks an item of a collection, and aliases are its natural
	// keys in the alias index.
	item    bool
	aliases []string
}

func newEngine(m *Mock, b *blueprint) (*engine, error) {
	e := &engine{m: m, seed: uint64(m.cfg.seed), blueprint: b,
		res: map[string]*resource{}, kids: map[string]map[string]struct{}{}, alias: map[string]string{}, nextID: map[string]uint64{}, jobs: map[string]*treeDeleteJob{}}
	if err := e.start(); err != nil {
		return nil, err
	}
	return e, nil
}

// parent is the key a resource is listed under.
func parent(k string) string {
	if i := strings.LastIndexByte(k, '/'); i > 0 {
		return k[:i]
	}
	return "/"
}

// locate is the storage key of a request's resource: its path without the
// version, each parameter that names an item resolved to the item's id.
// A parameter naming no item answers that item's not-found error. The
// caller holds the lock.
func (e *engine) locate(p *plan, params map[string]string) (string, error) {
	var b strings.Builder
	for _, s := range p.segs {
		if s.lit != "" {
			b.WriteString("/" + s.lit)
			continue
		}
		v := params[s.param]
		switch {
		case s.res != nil:
			seg, err := s.res(e, b.String(), v)
			if err != nil {
				return "", err
			}
			b.WriteString("/" + seg)
		case s.coll != nil:
			k, ok := e.findItem(b.String(), v)
			if !ok {
				return "", newError(s.coll.fam.notFound, "no such entry: %q", v)
			}
			b.WriteString(k[strings.LastIndexByte(k, '/'):])
		default:
			b.WriteString("/" + url.PathEscape(v))
		}
	}
	if b.Len() == 0 {
		return "/", nil
	}
	return b.String(), nil
}

// findItem finds the item of the collection at coll named by v: its id or
// one of its natural keys. The caller holds the lock.
func (e *engine) findItem(coll, v string) (string, bool) {
	k := coll + "/" + url.PathEscape(v)
	if r := e.res[k]; r != nil && r.item {
		return k, true
	}
	k, ok := e.alias[e.aliasKey(coll, v)]
	return k, ok
}

// aliasKey is where the alias index keeps the natural key v of an item of
// the collection at coll.
func (e *engine) aliasKey(coll, v string) string {
	if e.fold[coll] {
		v = strings.ToLower(v)
	}
	return coll + "\x00" + v
}

// serve answers a validated request; value is its JSON body as the mock
// decoded and validated it, nil when the operation takes none.
func (e *engine) serve(w http.ResponseWriter, r *http.Request, route *routers.Route, params map[string]string, body []byte, value any) error {
	c := &call{r: r, route: route, params: params, body: value, raw: body}
	// a.value may be a stored value, shared with other readers and no
	// longer under the lock: respond only reads it (see resource.value).
	a, err := e.handle(c)
	if err != nil {
		return err
	}
	k := c.key
	g := oas.NewGenerator(e.seed, k, oas.Response)
	g.Names = params
	return e.respond(w, route.Operation, g, a)
}

// handle works out the answer to a call under the lock: a read lock for a
// generic read, the lock otherwise. Deferred unlocks keep a handler's panic,
// which ServeHTTP answers, from locking the twin for good.
func (e *engine) handle(c *call) (answer, error) {
	if e.running.Load() > 0 {
		e.mu.Lock()
		e.advanceJobs()
		e.mu.Unlock()
	}
	p := e.plan[c.route.Path]
	h := e.handlers[c.route.Operation]
	var err error
	if c.route.Method == http.MethodGet && h == nil {
		e.mu.RLock()
		defer e.mu.RUnlock()
		if c.key, err = e.locate(p, c.params); err != nil {
			return answer{}, err
		}
		return e.get(c.r, c.route, p, c.key)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if c.key, err = e.locate(p, c.params); err != nil {
		return answer{}, err
	}
	if h != nil {
		return h(e, c)
	}
	return e.write(c, p)
}

// lock takes the lock for a typed handler that reads or changes the twin's
// state, after finishing the jobs that are due, as handle does; it answers
// the unlock.
func (e *engine) lock() (unlock func()) {
	e.mu.Lock()
	if e.running.Load() > 0 {
		e.advanceJobs()
	}
	return e.mu.Unlock
}

// write is the generic answer to PUT, PATCH, DELETE and POST. The caller
// holds the lock.
func (e *engine) write(c *call, p *plan) (answer, error) {
	k := c.key
	switch c.route.Method {
	case http.MethodPut, http.MethodPatch:
		cur := e.res[k]
		var rev uint64
		var base any
		if cur != nil && !cur.deleted {
			rev, base = cur.rev, cur.value
		}
		if err := checkIfMatch(c, etag(rev)); err != nil {
			return answer{}, err
		}
		next := c.body
		if c.route.Method == http.MethodPatch {
			if base == nil {
				base = e.initial(c.route.Path, k, c.params, false)
			}
			next = mergePatch(base, c.body)
		}
		if p.item != nil {
			return e.replaceItem(c, p.item, k, cur, next)
		}
		rev = e.m.revision.Add(1)
		e.put(k, &resource{value: next, rev: rev})
		return answer{value: next, etag: etag(rev)}, nil
	case http.MethodDelete:
		cur := e.res[k]
		if cur != nil && cur.deleted {
			return answer{}, newError(errNoSuchEntry, "no such entry: %s", c.r.URL.Path)
		}
		var rev uint64
		if cur != nil {
			rev = cur.rev
		}
		if err := checkIfMatch(c, etag(rev)); err != nil {
			return answer{}, err
		}
		if p.item != nil {
			if rm := p.item.fam.remove; rm != nil {
				if err := rm(e, c, k, objectOf(cur.value)); err != nil {
					return answer{}, err
				}
			}
			e.removeItem(k)
			return answer{}, nil
		}
		// Items under a removed resource go with it.
		e.removeBelow(k)
		e.put(k, &resource{rev: e.m.revision.Add(1), deleted: true})
		return answer{}, nil
	}
	// A POST is checked against the ETag of the path it is sent to.
	if err := checkIfMatch(c, e.currentTag(k)); err != nil {
		return answer{}, err
	}
	itemTemplate, creates := e.creates[c.route.Operation]
	if !creates || p.list == nil {
		// An action: nothing to keep, answer what the schema says.
		return answer{}, nil
	}
	return e.create(c, p.list, itemTemplate)
}

// create adds an item to the collection c.key: what the request set over
// what its GET would answer had it never been written. The caller holds
// the lock.
func (e *engine) create(c *call, coll *collection, itemTemplate string) (answer, error) {
	fam := coll.fam
	body := c.object()
	var id string
	switch {
	case fam.idOf != nil:
		var err error
		if id, err = fam.idOf(e, body); err != nil {
			return answer{}, err
		}
	case fam.clientID:
		from := cmp.Or(fam.idFrom, fam.idField)
		if id = scalarString(body[from]); id == "" {
			return answer{}, newError(errInvalidRequest, "request body field %q: required", from)
		}
	default:
		id = e.newID(coll, c.key)
	}
	params := maps.Clone(c.params)
	if open := strings.LastIndex(itemTemplate, "{"); open >= 0 {
		params[strings.Trim(itemTemplate[open:], "{}/")] = id
	}
	obj := objectOf(mergePatch(e.initial(itemTemplate, c.key+"/"+id, params, true), body))
	res, err := e.insert(c, coll, c.key, id, obj)
	if err != nil {
		return answer{}, err
	}
	var out any = obj
	if _, _, ref := oas.Success(c.route.Operation); ref != nil && ref.Value != nil && !ref.Value.Type.Is("object") && len(ref.Value.Properties) == 0 {
		out = obj[fam.idField] // a create that answers only the new id
	}
	return answer{value: out, etag: etag(res.rev), location: strings.TrimSuffix(c.r.URL.EscapedPath(), "/") + "/" + url.PathEscape(id)}, nil
}

// newID takes the next id of the collection at key. The caller holds the
// lock.
func (e *engine) newID(coll *collection, key string) string {
	space := coll.fam.idSpace
	if space == "" {
		space = key
	}
	format := coll.fam.format
	if format == nil {
		format = func(n uint64) string { return strconv.FormatUint(n, 10) }
	}
	n := max(e.nextID[space], coll.fam.firstID, 1)
	for e.res[key+"/"+format(n)] != nil {
		n++
	}
	e.nextID[space] = n + 1
	return format(n)
}

// insert stores a new item with the given id in the collection at key. c
// is nil for what a fresh cluster has. The caller holds the lock.
func (e *engine) insert(c *call, coll *collection, key, id string, obj map[string]any) (*resource, error) {
	fam := coll.fam
	obj[fam.idField] = id
	if n, err := strconv.ParseUint(id, 10, 64); err == nil {
		if coll.numericID {
			obj[fam.idField] = float64(n) // as decoded JSON has it
		}
		space := fam.idSpace
		if space == "" {
			space = key
		}
		e.nextID[space] = max(e.nextID[space], n+1)
	}
	k := key + "/" + url.PathEscape(id)
	if r := e.res[k]; r != nil && r.item {
		return nil, newError(fam.exists, "%s %q already exists", fam.idField, id)
	}
	if err := e.checkUnique(coll, key, k, obj); err != nil {
		return nil, err
	}
	if fam.create != nil && c != nil {
		if err := fam.create(e, c, obj); err != nil {
			return nil, err
		}
	}
	rev := e.m.revision.Add(1)
	res := &resource{value: obj, rev: rev, item: true}
	e.put(k, res)
	e.index(coll, key, k, res)
	return res, nil
}

// replaceItem stores a new value of an existing item, keeping its id. The
// caller holds the lock.
func (e *engine) replaceItem(c *call, coll *collection, k string, cur *resource, next any) (answer, error) {
	obj := objectOf(next)
	obj[coll.fam.idField] = objectOf(cur.value)[coll.fam.idField]
	key := parent(k)
	if err := e.checkUnique(coll, key, k, obj); err != nil {
		return answer{}, err
	}
	if up := coll.fam.update; up != nil {
		if err := up(e, c, k, obj); err != nil {
			return answer{}, err
		}
	}
	e.unindex(cur)
	res := &resource{value: obj, rev: e.m.revision.Add(1), item: true}
	e.put(k, res)
	e.index(coll, key, k, res)
	return answer{value: obj, etag: etag(res.rev)}, nil
}

// checkUnique refuses an item whose unique fields another item has.
func (e *engine) checkUnique(coll *collection, key, k string, obj map[string]any) error {
	for _, f := range coll.fam.unique {
		v := scalarString(obj[f])
		if other, ok := e.alias[e.aliasKey(key, v)]; ok && v != "" && other != k {
			return newError(coll.fam.exists, "%s %q already exists", f, v)
		}
	}
	return nil
}

// index records the natural keys of an item. The caller holds the lock.
func (e *engine) index(coll *collection, key, k string, res *resource) {
	obj, _ := res.value.(map[string]any)
	for _, f := range coll.fam.keys {
		if v := scalarString(obj[f]); v != "" {
			a := e.aliasKey(key, v)
			if _, taken := e.alias[a]; !taken {
				e.alias[a] = k
				res.aliases = append(res.aliases, a)
			}
		}
	}
}

func (e *engine) unindex(res *resource) {
	for _, a := range res.aliases {
		delete(e.alias, a)
	}
}

// removeItem forgets an item and everything under it. The caller holds
// the lock.
func (e *engine) removeItem(k string) {
	if r := e.res[k]; r != nil {
		e.unindex(r)
	}
	e.removeBelow(k)
	e.remove(k)
}

func checkIfMatch(c *call, current string) error {
	if !ifMatches(c.r.Context(), current) {
		return preconditionFailed(c.r.Context(), current)
	}
	return nil
}

// scalarString renders an id or a name the way it appears in a path.
func scalarString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case uint64:
		return strconv.FormatUint(t, 10)
	case int64:
		return strconv.FormatInt(t, 10)
	case int:
		return strconv.Itoa(t)
	}
	return ""
}

// objectOf is v as an object, or a new empty one.
func objectOf(v any) map[string]any {
	if m, ok := v.(map[string]any); ok {
		return m
	}
	return map[string]any{}
}

// currentTag is the ETag of a key now. The caller holds the lock.
func (e *engine) currentTag(k string) string {
	if cur := e.res[k]; cur != nil {
		return etag(cur.rev)
	}
	return etag(0)
}

// idSchema is the schema of the id field of the items a GET answers.
func idSchema(get *openapi3.Operation, field string) *openapi3.Schema {
	if get == nil {
		return nil
	}
	_, _, ref := oas.Success(get)
	if ref == nil || ref.Value == nil {
		return nil
	}
	if p := ref.Value.Properties[field]; p != nil && p.Value != nil {
		return p.Value
	}
	return nil
}

// initial is the value a resource has before anyone writes it: what its GET
// would answer, or for a new item the minimal value the client fills in.
// The caller holds the lock.
func (e *engine) initial(template, k string, params map[string]string, minimal bool) any {
	op := e.gets[template]
	if op == nil {
		return map[string]any{}
	}
	g := oas.NewGenerator(e.seed, k, oas.Response)
	g.Names = params
	g.Minimal = minimal
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

// get reads a resource: an item or singleton as stored, a collection as the
// page of its items the request asks for. The caller holds the read lock.
func (e *engine) get(r *http.Request, route *routers.Route, p *plan, k string) (answer, error) {
	cur := e.res[k]
	if cur != nil && cur.deleted {
		return answer{}, newError(errNoSuchEntry, "no such entry: %s", r.URL.Path)
	}
	var rev uint64
	if cur != nil {
		rev = cur.rev
	}
	if p.list != nil {
		items, next, err := pageItems(r, e.children(k), func(it child) string { return it.key[strings.LastIndexByte(it.key, '/')+1:] })
		if err != nil {
			return answer{}, err
		}
		values := make([]any, len(items))
		for i, it := range items {
			values[i] = it.value
		}
		return answer{value: listing(route.Operation, values, next), etag: etag(rev)}, nil
	}
	if cur == nil {
		return answer{etag: etag(0)}, nil // never written: respond generates it
	}
	return answer{value: cur.value, etag: etag(rev)}, nil
}

// put stores a resource and indexes it under its parent, and the parent
// under its own up to the first key indexed already, so that removeBelow
// of a file reaches its streams' data (/files/{id}/streams/{sid}/data),
// which no resource at /files/{id}/streams links to it. The caller holds
// the lock.
func (e *engine) put(k string, r *resource) {
	e.res[k] = r
	for c, p := k, parent(k); p != c; c, p = p, parent(p) {
		if e.kids[p] == nil {
			e.kids[p] = map[string]struct{}{}
		}
		if _, indexed := e.kids[p][c]; indexed {
			return
		}
		e.kids[p][c] = struct{}{}
	}
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
		if r := e.res[c]; r != nil {
			e.unindex(r)
			if data, ok := r.value.([]byte); ok && e.fs != nil {
				e.fs.held -= int64(len(data)) // a stream's data (filedata.go)
			}
		}
		delete(e.res, c)
	}
	delete(e.kids, k)
}

// child is an item listed under a collection.
type child struct {
	key   string
	value any
}

// children lists the items right under a collection in key order (see
// keyOrder). The caller holds the lock.
func (e *engine) children(k string) []child {
	var out []child
	for c := range e.kids[k] {
		if res := e.res[c]; res != nil && res.item {
			out = append(out, child{c, res.value})
		}
	}
	slices.SortFunc(out, func(a, b child) int { return keyOrder(a.key[len(k)+1:], b.key[len(k)+1:]) })
	return out
}

// keyOrder is the order of a collection's items by id or name: decimal
// ids by value (auth ids, file ids, share ids), then the other keys as
// strings. Lists are in that order, so the next page of a list starts at
// the first key past the previous page's last one, whether or not that
// item still exists: a quota, share or user deleted between two pages does
// not break the listing (qapi issue 21; that a cluster pages on in order of
// ids is the twin's assumption). It is a total order: decimals first, by
// length then digits, so 9 < 10 < 007.
func keyOrder(a, b string) int {
	da, db := isDecimal(a), isDecimal(b)
	switch {
	case da && !db:
		return -1
	case db && !da:
		return 1
	case da && len(a) != len(b):
		return cmp.Compare(len(a), len(b))
	}
	return strings.Compare(a, b)
}

// isDecimal tells whether s is a non-empty string of ASCII digits.
func isDecimal(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// page is the part of a list a request asks for with after and limit, and
// the link to the next part when there is one.
type page struct {
	start, end int
	next       any // a path with the query of the next page, or nil
}

// pageOf pages a list whose entries have the tokens toks, sorted by
// compare: after names the last entry of the previous page, limit bounds
// the page, and next links the page after it while entries remain. The page
// starts at the first token past after, so a list pages on past an entry
// removed between two pages.
func pageOf(r *http.Request, toks []string, compare func(a, b string) int) (page, error) {
	q := r.URL.Query()
	pg := page{end: len(toks)}
	if after := q.Get("after"); after != "" {
		i, found := slices.BinarySearchFunc(toks, after, compare)
		if found {
			i++
		}
		pg.start = i
	}
	if s := q.Get("limit"); s != "" {
		limit, err := strconv.Atoi(s)
		if err != nil || limit < 1 {
			return page{}, newError(errInvalidRequest, "query parameter limit: %q is not a positive integer", s)
		}
		if pg.start+limit < len(toks) {
			pg.end = pg.start + limit
			next := url.Values{"after": {toks[pg.end-1]}, "limit": {s}}
			pg.next = r.URL.EscapedPath() + "?" + next.Encode()
		}
	}
	pg.start = min(pg.start, pg.end)
	return pg, nil
}

// pageItems is the page of a collection's items a request asks for, and
// the link to the next page; tok names an item in the after parameter.
// Items are paged in keyOrder of their tokens.
func pageItems(r *http.Request, items []child, tok func(child) string) ([]child, any, error) {
	order := func(a, b child) int { return keyOrder(tok(a), tok(b)) }
	if !slices.IsSortedFunc(items, order) { // children are in key order already
		items = slices.Clone(items)
		slices.SortStableFunc(items, order)
	}
	toks := make([]string, len(items))
	for i, it := range items {
		toks[i] = tok(it)
	}
	pg, err := pageOf(r, toks, keyOrder)
	if err != nil {
		return nil, nil, err
	}
	return items[pg.start:pg.end], pg.next, nil
}

// pagedAnswer answers the page of items a request asks for, each rendered
// by render, in the list named list beside a paging object; an item's
// field of that name names it in the after parameter.
func pagedAnswer(c *call, items []child, list, field string, render func(child) any) (answer, error) {
	page, next, err := pageItems(c.r, items, func(it child) string { return scalarString(objectOf(it.value)[field]) })
	if err != nil {
		return answer{}, err
	}
	out := []any{}
	for _, it := range page {
		out = append(out, render(it))
	}
	return answer{value: map[string]any{list: out, "paging": pagingOf(next)}}, nil
}

// pagingOf is the paging object of a page: where the next one is (nil on
// the last), and prev, which the twin answers null (it keeps no way back).
func pagingOf(next any) map[string]any {
	return map[string]any{"next": next, "prev": nil}
}

// listing puts a page of items where a list answer keeps them: the answer
// itself when it is an array, else its first array property, beside a
// paging object.
func listing(op *openapi3.Operation, items []any, next any) any {
	_, _, ref := oas.Success(op)
	if ref == nil || ref.Value == nil || ref.Value.Type.Is("array") {
		return items
	}
	name, ok := oas.ListField(ref.Value)
	if !ok {
		return items
	}
	return map[string]any{name: items, "paging": pagingOf(next)}
}

// respond writes an operation's success answer. A value given is shaped to
// the response schema; with none, one is generated; an operation that
// documents no body answers none.
func (e *engine) respond(w http.ResponseWriter, op *openapi3.Operation, g *oas.Generator, a answer) error {
	status, media, ref := oas.Success(op)
	if a.etag != "" {
		w.Header().Set("ETag", a.etag)
	}
	if a.location != "" {
		w.Header().Set("Location", a.location)
	}
	if a.raw != nil {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.FormatInt(int64(len(a.raw))+a.zeros, 10))
		w.WriteHeader(status)
		_, _ = w.Write(a.raw)
		writeZeros(w, a.zeros)
		return nil
	}
	if media == nil || status == http.StatusNoContent {
		w.WriteHeader(status)
		return nil
	}
	v := a.value
	if v == nil {
		v = e.fresh(g, media, ref)
		if paging, ok := objectOf(v)["paging"].(map[string]any); ok {
			paging["next"], paging["prev"] = nil, nil // a list made up is one page long
		}
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
