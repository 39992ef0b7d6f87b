package mock

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"

	"github.com/qapitools/qapi/internal/qerror"
)

// A test seeds the twin and looks at it without going through the API
// under test, as it would with fake-gcs-server or client-go's fake
// clientset: Seed and Get send a request straight to the twin, as the
// admin, past its reactions and its fault; the file-system helpers act on
// the tree itself. They are safe to call while the twin serves.

type stateKey int

const (
	// trustedKey marks a request of Seed or Get: no token needed.
	trustedKey stateKey = iota
	// peekKey marks a request of Get: reading changes nothing, so a job
	// a client has not seen stays unseen.
	peekKey
)

func trusted(ctx context.Context) bool { return ctx.Value(trustedKey) != nil }

func peeking(ctx context.Context) bool { return ctx.Value(peekKey) != nil }

// Seed sends one request to the twin as its admin, without a token and past
// any reaction or fault, and answers the body of the answer: items by path
// before a test runs (POST /v2/smb/shares/ with a share, PUT a setting),
// or any change a test makes behind the client's back. body is nil for
// none, []byte or string as is, else encoded as JSON; it goes as JSON when
// the operation takes JSON, else as application/octet-stream (a file's
// data). The request is validated as any other: an answer other than 2xx is
// an error wrapping an *Error with its status and class.
func (m *Mock) Seed(ctx context.Context, method, path string, body any) ([]byte, error) {
	return m.direct(context.WithValue(ctx, trustedKey, true), method, path, body)
}

// Get answers what GET path answers now, as Seed does, but changing nothing
// a read by a client would (a tree-delete job stays unseen): for a test's
// assertions on the twin's state. A path that names nothing is an error
// wrapping an *Error with status 404 (see IsNotFound).
func (m *Mock) Get(path string) ([]byte, error) {
	ctx := context.WithValue(context.WithValue(context.Background(), trustedKey, true), peekKey, true)
	return m.direct(ctx, http.MethodGet, path, nil)
}

// IsNotFound tells whether err, from Seed or Get, is the twin's 404.
func IsNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status() == http.StatusNotFound
}

func (m *Mock) direct(ctx context.Context, method, path string, body any) ([]byte, error) {
	var raw []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		raw = b
	case string:
		raw = []byte(b)
	default:
		var err error
		if raw, err = json.Marshal(body); err != nil {
			return nil, fmt.Errorf("%s %s: request body: %w", method, path, err)
		}
	}
	var rd io.Reader
	if raw != nil {
		rd = bytes.NewReader(raw)
	}
	if !strings.HasPrefix(path, "/") {
		return nil, fmt.Errorf("%s %s: the path must start with /", method, path)
	}
	req, err := http.NewRequestWithContext(ctx, strings.ToUpper(method), "http://twin"+path, rd)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if raw != nil {
		req.Header.Set("Content-Type", "application/octet-stream")
		if route, _, err := m.router.FindRoute(req); err == nil && m.ops[route.Operation] != nil && m.ops[route.Operation].jsonBody {
			req.Header.Set("Content-Type", "application/json")
		}
	}
	rec := httptest.NewRecorder()
	twin{m}.ServeHTTP(rec, req)
	if rec.Code/100 == 2 {
		return rec.Body.Bytes(), nil
	}
	doc, _, _ := qerror.Decode(rec.Body.Bytes())
	return nil, fmt.Errorf("%s %s: %w", method, path, errorOf(rec.Code, doc.ErrorClass, doc.Description))
}

// errorOf is the *Error the mock answered with a status and class.
func errorOf(status int, class, desc string) *Error {
	for kind, row := range errorTable {
		if row.status == status && row.class == class {
			return &Error{kind: kind, Description: desc}
		}
	}
	return &Error{kind: errInternal, Description: fmt.Sprintf("answered %d %s: %s", status, class, desc)}
}

// Credentials are the user name and password the twin's login takes
// (WithCredentials), for a test kit that logs a client in.
func (m *Mock) Credentials() (user, password string) { return m.cfg.user, m.cfg.password }

// MkdirAll makes the directory at path and any parents missing, as mkdir
// -p does, and answers its file id.
func (m *Mock) MkdirAll(path string) (id string, err error) {
	e := m.engine
	defer e.lock()()
	n, err := e.mkdirAll(path)
	if err != nil {
		return "", fmt.Errorf("mkdir %s: %w", path, err)
	}
	return strconv.FormatUint(n.id, 10), nil
}

// WriteFile makes the file at path, and any directories missing above it,
// or replaces its contents, and answers its file id.
func (m *Mock) WriteFile(path string, data []byte) (id string, err error) {
	e := m.engine
	defer e.lock()()
	i := strings.LastIndexByte(strings.TrimSuffix(path, "/"), '/')
	if i < 0 || strings.HasSuffix(path, "/") {
		return "", fmt.Errorf("write %s: not an absolute path of a file", path)
	}
	dir, err := e.mkdirAll(path[:i])
	if err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	name := path[i+1:]
	if err := validName(name); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	n := dir.kids[name]
	if n == nil {
		if n, err = e.mknod(dir, name, typeFile); err != nil {
			return "", fmt.Errorf("write %s: %w", path, err)
		}
	}
	if n.isDir() {
		return "", fmt.Errorf("write %s: %w", path, newError(errInvalidRequest, "%s is a directory", n.path()))
	}
	e.setData(n, slices.Clone(data), int64(len(data)))
	n.modified = m.cfg.now().UnixNano()
	e.touch(n)
	return strconv.FormatUint(n.id, 10), nil
}

// ReadFile answers the contents of the file at path (a file id works too).
func (m *Mock) ReadFile(path string) ([]byte, error) {
	e := m.engine
	defer e.lock()()
	n, err := e.fs.lookup(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if n.isDir() {
		return nil, fmt.Errorf("read %s: %w", path, newError(errInvalidRequest, "%s is a directory", n.path()))
	}
	data, zeros := n.read(0, -1)
	return append(slices.Clone(data), make([]byte, zeros)...), nil
}

// Files lists every path of the file system in order, directories ending
// in a slash: "/", "/projects/", "/projects/a.txt".
func (m *Mock) Files() []string {
	e := m.engine
	defer e.lock()()
	var out []string
	var walk func(n *inode)
	walk = func(n *inode) {
		out = append(out, n.path())
		for _, name := range n.sortedNames() {
			if k := n.kids[name]; k.isDir() {
				walk(k)
			} else {
				out = append(out, n.path()+name)
			}
		}
	}
	walk(e.fs.root)
	return out
}
