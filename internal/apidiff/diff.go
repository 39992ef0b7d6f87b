package apidiff

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oasdiff/oasdiff/checker"
	"github.com/oasdiff/oasdiff/diff"
	"github.com/oasdiff/oasdiff/load"

	"github.com/qapitools/qapi/internal/sdkgen"
)

// Options tune a comparison.
type Options struct {
	// Raw compares the documents as they are, without the cluster rules:
	// what oasdiff alone reports.
	Raw bool
}

// Report is what changed from the old document to the new one.
type Report struct {
	Old     string      `json:"old"`
	New     string      `json:"new"`
	Raw     bool        `json:"raw,omitempty"`
	Added   []Operation `json:"added"`
	Removed []Operation `json:"removed"`
	Changes []Change    `json:"changes"`
}

// Operation is an operation added or removed, with its method in the SDK.
type Operation struct {
	Method      string `json:"method"`
	Path        string `json:"path"`
	OperationID string `json:"operation_id"`
	// Area is the client's service: SMB for c.SMB.
	Area string `json:"area"`
	// SDK is the client's method: c.SMB.ListShares.
	SDK string `json:"sdk"`
}

// Change is one change, classed for a client of the old document.
type Change struct {
	Area        string `json:"area"`
	Method      string `json:"method,omitempty"`
	Path        string `json:"path,omitempty"`
	OperationID string `json:"operation_id,omitempty"`
	// Kind is oasdiff's identifier of the change: request-property-removed.
	Kind string `json:"kind"`
	// Breaking tells whether a client written for the old document may
	// fail against the new one.
	Breaking bool   `json:"breaking"`
	Text     string `json:"text"`
	// SDK names what of the Go SDK appears, disappears or changes.
	SDK string `json:"sdk,omitempty"`
}

// Class is "breaking" or "non-breaking".
func (c Change) Class() string {
	if c.Breaking {
		return "breaking"
	}
	return "non-breaking"
}

// Breaking counts the breaking changes.
func (r *Report) Breaking() int {
	n := 0
	for _, c := range r.Changes {
		if c.Breaking {
			n++
		}
	}
	return n
}

// Side is one document to compare and the name it is shown by.
type Side struct {
	Name string
	Doc  *openapi3.T
}

// Compare reports what changed from old to new. Unless opts.Raw, both
// documents are first put through the same cluster rules (see the package
// documentation); they are changed in place.
func Compare(old, new Side, opts Options) (*Report, error) {
	if !opts.Raw {
		normalize(old.Doc, new.Doc)
	}
	changes, d, err := oasdiff(old.Doc, new.Doc)
	if err != nil {
		return nil, err
	}
	r := &Report{Old: old.Name, New: new.Name, Raw: opts.Raw, Added: []Operation{}, Removed: []Operation{}, Changes: []Change{}}
	if d != nil && d.PathsDiff != nil {
		for _, p := range d.PathsDiff.Added {
			r.Added = append(r.Added, operations(new.Doc, p, nil)...)
		}
		for _, p := range d.PathsDiff.Deleted {
			r.Removed = append(r.Removed, operations(old.Doc, p, nil)...)
		}
		for p, pd := range d.PathsDiff.Modified {
			if pd.OperationsDiff == nil {
				continue
			}
			r.Added = append(r.Added, operations(new.Doc, p, pd.OperationsDiff.Added)...)
			r.Removed = append(r.Removed, operations(old.Doc, p, pd.OperationsDiff.Deleted)...)
		}
	}
	sortOps(r.Added)
	sortOps(r.Removed)
	names := &namer{old: old.Doc, new: new.Doc}
	l := checker.NewDefaultLocalizer()
	for _, c := range changes {
		ch := Change{Kind: c.GetId(), Breaking: c.IsBreaking(), Text: c.GetUncolorizedText(l)}
		if ac, ok := c.(checker.ApiChange); ok {
			ch.Method, ch.Path, ch.OperationID = ac.Operation, ac.Path, ac.OperationId
			ch.Area = sdkgen.AreaOf(ac.Path)
			ch.SDK = names.impact(ac)
		}
		r.Changes = append(r.Changes, ch)
	}
	slices.SortStableFunc(r.Changes, func(a, b Change) int {
		return cmp.Or(cmp.Compare(a.Area, b.Area), cmp.Compare(a.Path, b.Path), cmp.Compare(a.Method, b.Method),
			cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Text, b.Text))
	})
	return r, nil
}

// oasdiff runs the engine: the diff and every check, down to information.
func oasdiff(old, new *openapi3.T) (checker.Changes, *diff.Diff, error) {
	s1 := &load.SpecInfo{Spec: old, Source: load.NewSource("old")}
	s2 := &load.SpecInfo{Spec: new, Source: load.NewSource("new")}
	d, sources, err := diff.GetWithOperationsSourcesMap(diff.NewConfig(), s1, s2)
	if err != nil {
		return nil, nil, fmt.Errorf("compare: %w", err)
	}
	return checker.CheckBackwardCompatibilityUntilLevel(checker.NewConfig(checker.GetAllChecks()), d, sources, checker.INFO), d, nil
}

// operations lists the operations of path in doc, all of them or those of
// methods.
func operations(doc *openapi3.T, path string, methods []string) []Operation {
	item := doc.Paths.Find(path)
	if item == nil {
		return nil
	}
	var ops []Operation
	for method, op := range item.Operations() {
		if methods != nil && !slices.Contains(methods, method) {
			continue
		}
		ops = append(ops, operation(method, path, op.OperationID))
	}
	return ops
}

func operation(method, path, id string) Operation {
	area := sdkgen.AreaOf(path)
	o := Operation{Method: strings.ToUpper(method), Path: path, OperationID: id, Area: area}
	if area != "" && id != "" {
		o.SDK = "c." + area + "." + sdkgen.MethodName(id, area)
	}
	return o
}

func sortOps(ops []Operation) {
	slices.SortFunc(ops, func(a, b Operation) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(methodOrder(a.Method), methodOrder(b.Method)))
	})
}

func methodOrder(m string) int {
	i := slices.Index([]string{http.MethodGet, http.MethodPut, http.MethodPost, http.MethodPatch, http.MethodDelete}, m)
	if i < 0 {
		return 99
	}
	return i
}
