package mock

import (
	"fmt"
	"maps"
	"runtime"
	"slices"
	"sync"
	"weak"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"

	"github.com/qapitools/qapi/internal/oas"
)

// blueprint is what a mock works out from its document alone: the router,
// what each operation needs, and the engine's plans. Building it costs tens
// of milliseconds on the whole guide, so it is built once per document and
// shared, read-only, by every mock of that document: a test that starts a
// fresh twin pays only for the twin's own state. Hence the document must
// not change once a mock serves it (WithSpec).
type blueprint struct {
	router *oas.Router
	ops    map[*openapi3.Operation]*opInfo

	// creates maps a POST on a collection to the path template of its
	// items, e.g. /v2/nfs/exports/ → /v2/nfs/exports/{ref}.
	creates map[*openapi3.Operation]string
	// gets maps a path template to its GET, the base of a PATCH on a
	// resource never written and the shape of a collection listing.
	gets     map[string]*openapi3.Operation
	plan     map[string]*plan
	colls    map[string]*collection
	handlers map[*openapi3.Operation]handler
	// fold are the collections whose natural keys compare without case.
	fold map[string]bool
	// singletons maps a module's singleton shape to the template whose GET
	// gives its generated fields.
	singletons map[string]string
	// known are the privileges the document knows, and needs the one each
	// operation needs of a local user (privileges.go).
	known []any
	needs map[*openapi3.Operation]string
}

// blueprints caches a blueprint per document. A document is held weakly:
// once no mock and no caller holds it, its entry goes.
var blueprints = struct {
	sync.Mutex
	m map[weak.Pointer[openapi3.T]]*blueprintOnce
}{m: map[weak.Pointer[openapi3.T]]*blueprintOnce{}}

type blueprintOnce struct {
	once sync.Once
	bp   *blueprint
	err  error
}

// blueprintOf answers doc's blueprint, building it on first use.
func blueprintOf(doc *openapi3.T) (*blueprint, error) {
	key := weak.Make(doc)
	blueprints.Lock()
	entry := blueprints.m[key]
	if entry == nil {
		entry = &blueprintOnce{}
		blueprints.m[key] = entry
		runtime.AddCleanup(doc, func(k weak.Pointer[openapi3.T]) {
			blueprints.Lock()
			delete(blueprints.m, k)
			blueprints.Unlock()
		}, key)
	}
	blueprints.Unlock()
	entry.once.Do(func() { entry.bp, entry.err = newBlueprint(doc) })
	return entry.bp, entry.err
}

// newBlueprint works out doc's blueprint. Nothing in it points back at doc
// itself, so the cache's weak key can let the document go.
func newBlueprint(doc *openapi3.T) (*blueprint, error) {
	router, err := oas.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("mock: %w", err)
	}
	b := &blueprint{router: router, ops: map[*openapi3.Operation]*opInfo{}, creates: map[*openapi3.Operation]string{},
		gets: map[string]*openapi3.Operation{}, fold: map[string]bool{}, singletons: map[string]string{}}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			bare := *op
			bare.Security = &openapi3.SecurityRequirements{}
			b.ops[op] = &opInfo{
				secured:  oas.Secured(doc, op),
				jsonBody: oas.TakesJSON(op),
				streams:  oas.StreamTypes(op),
				validate: &routers.Route{Spec: router.Doc, Path: path, PathItem: item, Method: method, Operation: &bare},
			}
		}
		if item.Get != nil {
			b.gets[path] = item.Get
		}
		if item.Post != nil {
			if itemPath, _, ok := oas.ItemOf(doc, path); ok {
				b.creates[item.Post] = itemPath
			}
		}
	}
	b.plan = b.plans(doc)
	b.handlers = moduleHandlers(doc)
	for _, mod := range modules {
		for shape := range mod.singletons {
			for _, template := range slices.Sorted(maps.Keys(b.gets)) {
				if shapeOf(template) == shape {
					b.singletons[shape] = template
					break
				}
			}
		}
	}
	b.known = privilegesOf(doc)
	b.needs = needs(doc, b.known)
	return b, nil
}
