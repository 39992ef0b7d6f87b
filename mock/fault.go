package mock

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/qapitools/qapi/check"
)

// Fault names a way the mock can break the contract on purpose, so that a
// contract suite can prove it notices (qapi mock --fault NAME).
type Fault string

// Faults, each caught by the checks the check package's registry names
// for it (see FaultChecks); adding one is a constant here, its behaviour in
// faulty and its name in that registry.
const (
	FaultWrongFieldType        Fault = "wrong-field-type"
	FaultUndocumentedStatus    Fault = "undocumented-status"
	FaultServerErrorOnBadInput Fault = "server-error-on-bad-input"
	FaultWrongContentType      Fault = "wrong-content-type"
	FaultIgnoredToken          Fault = "ignored-token"
	FaultLeakedPrivateKey      Fault = "leaked-private-key"
	FaultLostWrite             Fault = "lost-write"
	FaultIgnoredIfMatch        Fault = "ignored-if-match"
	FaultUndeclaredProperty    Fault = "undeclared-property"
	FaultMissingField          Fault = "missing-field"
)

// faultChecks maps each fault to the contract checks that must fail when
// the mock runs with it, and only those: the check registry's, so that a
// check and the faults that prove it are stated once.
var faultChecks = func() map[Fault][]string {
	out := map[Fault][]string{}
	for f, checks := range check.FaultChecks() {
		out[Fault(f)] = checks
	}
	return out
}()

// FaultChecks answers the contract checks that must fail when the mock runs
// with fault f, and only those (nil for a fault it does not know);
// undeclared-property shows only under strict checking. The slice is the
// caller's own.
func FaultChecks(f Fault) []string { return slices.Clone(faultChecks[f]) }

// Faults lists the fault names in order.
func Faults() []Fault { return slices.Sorted(maps.Keys(faultChecks)) }

// ParseFault checks a fault name.
func ParseFault(name string) (Fault, error) {
	if _, ok := faultChecks[Fault(name)]; ok {
		return Fault(name), nil
	}
	names := make([]string, 0, len(faultChecks))
	for _, f := range Faults() {
		names = append(names, string(f))
	}
	return "", fmt.Errorf("unknown fault %q (want one of %s)", name, strings.Join(names, ", "))
}

// Handler is the mock as served. A Mock applies its fault and reactions
// itself, so it is the mock; it stays for callers that served Handler()
// when only it applied the fault.
func (m *Mock) Handler() http.Handler { return m }

// faulty wraps a healthy mock and breaks its answers in one way. Faults sit
// outside the mock so the mock itself stays correct; login is never broken,
// since a suite that cannot log in checks nothing.
type faulty struct {
	fault Fault
	inner http.Handler
	// user and password log in for ignored-token.
	user, password string

	mu          sync.Mutex
	token       string
	privateKeys []string
	snapshots   map[string]*recorded
}

func newFaulty(fault Fault, inner http.Handler, user, password string) *faulty {
	return &faulty{fault: fault, inner: inner, user: user, password: password, snapshots: map[string]*recorded{}}
}

func (f *faulty) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/v1/session/login" {
		f.inner.ServeHTTP(w, r)
		return
	}
	switch f.fault {
	case FaultIgnoredToken:
		f.withValidToken(r)
	case FaultIgnoredIfMatch:
		r.Header.Del("If-Match")
	case FaultLostWrite:
		if r.Method == http.MethodGet && f.staleRead(w, r) {
			return
		}
		if r.Method == http.MethodPut || r.Method == http.MethodPatch {
			before := f.snapshot(r)
			rec := httptest.NewRecorder()
			f.inner.ServeHTTP(rec, r)
			if before != nil && rec.Code < 300 {
				f.mu.Lock()
				if _, kept := f.snapshots[r.URL.Path]; !kept {
					f.snapshots[r.URL.Path] = before
				}
				f.mu.Unlock()
			}
			for k, vs := range rec.Header() {
				w.Header()[k] = vs
			}
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
			return
		}
	case FaultLeakedPrivateKey:
		f.rememberPrivateKey(r)
	}
	rec := httptest.NewRecorder()
	f.inner.ServeHTTP(rec, r)
	status, header, body := rec.Code, rec.Header(), rec.Body.Bytes()
	ok := status >= 200 && status < 300
	isJSON := strings.HasPrefix(header.Get("Content-Type"), "application/json")
	switch {
	case f.fault == FaultUndocumentedStatus && ok:
		status = http.StatusNonAuthoritativeInfo
	case f.fault == FaultServerErrorOnBadInput && status == http.StatusBadRequest:
		status = http.StatusInternalServerError
	case f.fault == FaultWrongContentType && ok && isJSON:
		header.Set("Content-Type", "text/plain; charset=utf-8")
	case f.fault == FaultWrongFieldType && ok && isJSON:
		body = rewriteObject(body, breakFirstString)
	case f.fault == FaultMissingField && ok && isJSON:
		body = rewriteObject(body, dropFirstNestedKey)
	case f.fault == FaultUndeclaredProperty && ok && isJSON:
		body = rewriteObject(body, func(m map[string]any) bool { m["qapi_undeclared_property"] = true; return true })
	case f.fault == FaultLeakedPrivateKey && ok && isJSON && r.Method == http.MethodGet:
		body = f.leak(body)
	}
	header.Set("Content-Length", fmt.Sprint(len(body)))
	for k, vs := range header {
		w.Header()[k] = vs
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// withValidToken replaces a missing or wrong token with a valid one, as a
// server that ignores authentication would behave.
func (f *faulty) withValidToken(r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.token == "" {
		body, _ := json.Marshal(map[string]string{"username": f.user, "password": f.password})
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/v1/session/login", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		f.inner.ServeHTTP(rec, req)
		var cred struct {
			BearerToken string `json:"bearer_token"`
		}
		_ = json.Unmarshal(rec.Body.Bytes(), &cred)
		f.token = cred.BearerToken
	}
	r.Header.Set("Authorization", "Bearer "+f.token)
}

// staleRead remembers what a read showed before the first successful write
// to a path, and keeps answering that: the write is acknowledged (after the
// mock validated it) but never shows.
func (f *faulty) staleRead(w http.ResponseWriter, r *http.Request) bool {
	f.mu.Lock()
	snap, ok := f.snapshots[r.URL.Path]
	f.mu.Unlock()
	if !ok {
		return false
	}
	for k, vs := range snap.header {
		w.Header()[k] = vs
	}
	w.WriteHeader(snap.status)
	_, _ = w.Write(snap.body)
	return true
}

// snapshot records the current read of a path before a write to it.
func (f *faulty) snapshot(r *http.Request) *recorded {
	get := httptest.NewRequest(http.MethodGet, r.URL.String(), nil)
	get.Header = r.Header.Clone()
	get.Header.Del("If-Match")
	rec := httptest.NewRecorder()
	f.inner.ServeHTTP(rec, get)
	if rec.Code != http.StatusOK {
		return nil
	}
	return &recorded{status: rec.Code, header: rec.Header().Clone(), body: rec.Body.Bytes()}
}

type recorded struct {
	status int
	header http.Header
	body   []byte
}

func (f *faulty) rememberPrivateKey(r *http.Request) {
	if r.Body == nil || r.Method == http.MethodGet {
		return
	}
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(r.Body)
	r.Body.Close()
	r.Body = readCloser{bytes.NewReader(buf.Bytes())}
	var v any
	if json.Unmarshal(buf.Bytes(), &v) != nil {
		return
	}
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, e := range t {
				if s, ok := e.(string); ok && k == "client_private_key" {
					f.mu.Lock()
					f.privateKeys = append(f.privateKeys, s)
					f.mu.Unlock()
				}
				walk(e)
			}
		case []any:
			for _, e := range t {
				walk(e)
			}
		}
	}
	walk(v)
}

// leak puts the last private key sent back into a read, inside kms_store
// where a careless server would keep it.
func (f *faulty) leak(body []byte) []byte {
	f.mu.Lock()
	n := len(f.privateKeys)
	var key string
	if n > 0 {
		key = f.privateKeys[n-1]
	}
	f.mu.Unlock()
	if key == "" {
		return body
	}
	return rewriteObject(body, func(m map[string]any) bool {
		if kms, ok := m["kms_store"].(map[string]any); ok {
			kms["client_private_key"] = key
			return true
		}
		m["client_private_key"] = key
		return true
	})
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// rewriteObject applies change to a JSON object body (or the first object of
// a list) and re-encodes it.
func rewriteObject(body []byte, change func(map[string]any) bool) []byte {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return body
	}
	var obj map[string]any
	switch t := v.(type) {
	case map[string]any:
		obj = t
	case []any:
		if len(t) > 0 {
			obj, _ = t[0].(map[string]any)
		}
	}
	if obj == nil || !change(obj) {
		return body
	}
	out, err := json.Marshal(v)
	if err != nil {
		return body
	}
	return out
}

// dropFirstNestedKey leaves out the first key (in order) of the first
// object nested in m, as a server that omits a field its schema requires
// (the twin answers every declared key): the top level is left whole, so
// the ids and fields a client sent still come back.
func dropFirstNestedKey(m map[string]any) bool {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if inner, ok := m[k].(map[string]any); ok && len(inner) > 0 {
			delete(inner, slices.Sorted(maps.Keys(inner))[0])
			return true
		}
	}
	return false
}

// breakFirstString turns the first string field found (keys in order,
// depth first) into a number.
func breakFirstString(m map[string]any) bool {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch t := m[k].(type) {
		case string:
			m[k] = 12345
			return true
		case map[string]any:
			if breakFirstString(t) {
				return true
			}
		}
	}
	return false
}
