package check

import (
	"net/http"
	"sort"
	"strings"
	"sync"
)

// OutsideSpec counts exchanges whose path or method the spec does not have.
type OutsideSpec struct {
	Method, Path string
	Count        int
}

// maxOutside bounds the distinct paths an Outside tells apart: a peer
// sending made-up paths must not grow it without end.
const maxOutside = 256

// OtherPaths is the path of the entry that counts paths past the bound.
const OtherPaths = "(other paths)"

// Outside counts exchanges outside the spec by method and path. It is safe
// for concurrent use.
type Outside struct {
	mu     sync.Mutex
	counts map[[2]string]int
}

// Add counts one exchange; first says it is the first for its method and
// path (or the first past the bound, counted under OtherPaths).
func (o *Outside) Add(method, path string) (first bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.counts == nil {
		o.counts = map[[2]string]int{}
	}
	k := [2]string{strings.ToUpper(method), path}
	if _, ok := o.counts[k]; !ok && len(o.counts) >= maxOutside {
		k = [2]string{"*", OtherPaths}
	}
	o.counts[k]++
	return o.counts[k] == 1
}

// List is what was counted, by path, then method.
func (o *Outside) List() []OutsideSpec {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]OutsideSpec, 0, len(o.counts))
	for k, n := range o.counts {
		out = append(out, OutsideSpec{Method: k[0], Path: k[1], Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Method < out[j].Method
	})
	return out
}

// Route tells which operation of the spec r is for; ok is false when the
// spec has no such path or method.
func (c *Checker) Route(r *http.Request) (Operation, bool) {
	o, _, ok := c.route(r)
	return o, ok
}
