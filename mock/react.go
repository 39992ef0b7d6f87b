package mock

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/qapitools/qapi/internal/qerror"
)

// Reaction makes the twin answer one operation its own way for a test, as
// a reactor of client-go's fake clientset does: fail it with a status and
// an error class, stall it, or drop the connection, once, a few times or
// always. A reaction acts before anything else looks at the request
// (authentication, validation, a fault), and whichever way the twin is
// served, since Mock.ServeHTTP applies it. Add one with Mock.React.
type Reaction struct {
	// Method and Path name the operation: Path is its template as the
	// document has it, such as /v2/smb/shares/{ref}; parameter names may
	// differ ({} matches any) and a trailing slash does not count.
	Method, Path string
	// Item, when set, limits the reaction to requests whose last path
	// parameter is Item, as the request sends it (decoded): one share of
	// /v2/smb/shares/{ref} by its id, or by its name if the client sends
	// that.
	Item string

	// Status, from 400 to 599, answers the request with a Qumulo error of
	// that status; Class is its error_class (http_<status text>_error when
	// empty, such as http_service_unavailable_error) and Description its
	// description. Header is added to the answer (Retry-After).
	Status      int
	Class       string
	Description string
	Header      http.Header
	// Stall holds the request this long before the rest of the reaction
	// applies, or until the request's context ends, the reaction is
	// removed, or, with StallForever, only those. A stall alone answers as
	// the twin does, late.
	Stall time.Duration
	// Drop closes the connection without an answer: the handler panics
	// with http.ErrAbortHandler, which net/http servers answer so.
	Drop bool

	// Times is how many requests the reaction answers before it goes; 0
	// means every request until it is removed.
	Times int
}

// StallForever stalls a request until its context ends or the reaction is
// removed.
const StallForever = time.Duration(math.MaxInt64)

// reactions are a mock's reactions, newest first.
type reactions struct {
	n  atomic.Int32 // len(list), read without the lock on every request
	mu sync.Mutex
	l  []*reaction
}

type reaction struct {
	Reaction
	template string // the document's template Path names
	param    string // the last path parameter, for Item
	left     int    // answers left; 0 for always
	gone     chan struct{}
	once     sync.Once
}

func (rs *reactions) active() bool { return rs.n.Load() > 0 }

// React adds a reaction and answers the function that removes it (at the
// latest when the test ends; removing twice is harmless). The newest
// reaction that matches a request answers it. An error says why the
// reaction cannot apply: no such operation in the document, or nothing to
// do.
func (m *Mock) React(r Reaction) (remove func(), err error) {
	switch {
	case r.Status != 0 && (r.Status < 400 || r.Status > 599):
		return nil, fmt.Errorf("reaction %s %s: status %d is not an error status (400-599)", r.Method, r.Path, r.Status)
	case r.Status == 0 && r.Stall <= 0 && !r.Drop:
		return nil, fmt.Errorf("reaction %s %s: set Status, Stall or Drop", r.Method, r.Path)
	case r.Times < 0:
		return nil, fmt.Errorf("reaction %s %s: negative Times %d", r.Method, r.Path, r.Times)
	}
	template, param, ok := m.template(r.Method, r.Path)
	if !ok {
		return nil, fmt.Errorf("reaction %s %s: the document has no such operation", r.Method, r.Path)
	}
	if r.Item != "" && param == "" {
		return nil, fmt.Errorf("reaction %s %s: Item %q, but the path has no parameter", r.Method, r.Path, r.Item)
	}
	x := &reaction{Reaction: r, template: template, param: param, left: r.Times, gone: make(chan struct{})}
	x.Method = strings.ToUpper(r.Method)
	x.Header = r.Header.Clone()
	rs := &m.reactions
	rs.mu.Lock()
	rs.l = slices.Insert(rs.l, 0, x)
	rs.n.Store(int32(len(rs.l)))
	rs.mu.Unlock()
	return func() { rs.remove(x) }, nil
}

func (rs *reactions) remove(x *reaction) {
	x.once.Do(func() { close(x.gone) })
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if i := slices.Index(rs.l, x); i >= 0 {
		rs.l = slices.Delete(rs.l, i, i+1)
		rs.n.Store(int32(len(rs.l)))
	}
}

// template finds the document's template a reaction's path names, and its
// last path parameter.
func (m *Mock) template(method, path string) (template, param string, ok bool) {
	want := anyParams(path)
	for t, item := range m.doc.Paths.Map() {
		if anyParams(t) != want || item.GetOperation(strings.ToUpper(method)) == nil {
			continue
		}
		if i := strings.LastIndexByte(t, '{'); i >= 0 {
			param = strings.Trim(t[i:], "{}/")
		}
		return t, param, true
	}
	return "", "", false
}

// anyParams is a template with its parameters unnamed and no trailing
// slash: what a reaction's Path is compared on.
func anyParams(template string) string {
	segs := strings.Split(strings.TrimSuffix(template, "/"), "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			segs[i] = "{}"
		}
	}
	return strings.Join(segs, "/")
}

// match takes the newest reaction for a request, counting it against its
// Times, or answers nil.
func (rs *reactions) match(method, template string, params map[string]string) *reaction {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for i, x := range rs.l {
		if x.Method != method || x.template != template || (x.Item != "" && params[x.param] != x.Item) {
			continue
		}
		if x.left > 0 {
			if x.left--; x.left == 0 {
				rs.l = slices.Delete(rs.l, i, i+1)
				rs.n.Store(int32(len(rs.l)))
			}
		}
		return x
	}
	return nil
}

// react answers r by the reaction that matches it, if one does, and tells
// whether it answered; a stall alone lets the twin answer after it.
func (m *Mock) react(w http.ResponseWriter, r *http.Request) bool {
	route, params, err := m.router.FindRoute(r)
	if err != nil {
		return false
	}
	x := m.reactions.match(r.Method, route.Path, params)
	if x == nil {
		return false
	}
	if x.Stall > 0 {
		t := time.NewTimer(x.Stall)
		defer t.Stop()
		select {
		case <-t.C:
		case <-x.gone:
		case <-r.Context().Done():
			panic(http.ErrAbortHandler) // nobody waits for the answer
		}
	}
	switch {
	case x.Drop:
		panic(http.ErrAbortHandler)
	case x.Status != 0:
		for k, vs := range x.Header {
			w.Header()[k] = slices.Clone(vs)
		}
		class := x.Class
		if class == "" {
			class = defaultClass(x.Status)
		}
		desc := x.Description
		if desc == "" {
			desc = fmt.Sprintf("%s %s: answered %d by a reaction of the test", r.Method, r.URL.Path, x.Status)
		}
		qerror.Write(w, x.Status, qerror.New(errorModule, class, desc, true))
		return true
	}
	return false
}

// defaultClass is the error class of a status a reaction gives none for, in
// the form of the mock's own http_… classes.
func defaultClass(status int) string {
	text := strings.NewReplacer(" ", "_", "-", "_", "'", "").Replace(strings.ToLower(http.StatusText(status)))
	if text == "" {
		return fmt.Sprintf("http_%d_error", status)
	}
	return "http_" + text + "_error"
}
