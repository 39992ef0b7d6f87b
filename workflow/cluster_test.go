package workflow

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/qapitools/qapi/client"
	"github.com/qapitools/qapi/mock"
	"github.com/qapitools/qapi/mock/mocktest"
)

// cluster is a Qumulo cluster as a test uses it: the twin, or a real one.
type cluster struct {
	t      *testing.T
	c      *client.Client
	url    string
	opts   []client.Option // how to reach it, credentials aside
	real   bool
	writes bool
}

// connect reaches the cluster named by QUMULO_URL, or starts a twin.
func connect(t *testing.T) *cluster {
	t.Helper()
	cl := &cluster{t: t, url: os.Getenv("QUMULO_URL")}
	user, password := os.Getenv("QUMULO_USERNAME"), os.Getenv("QUMULO_PASSWORD")
	if cl.url != "" {
		cl.real, cl.writes = true, os.Getenv("QAPI_ALLOW_WRITES") == "1"
		if ca := os.Getenv("QUMULO_CA_CERT"); ca != "" {
			cl.opts = append(cl.opts, client.WithCAFile(ca))
		}
	} else {
		srv := mocktest.NewServer(t)
		cl.url, cl.opts, cl.writes = srv.URL, []client.Option{client.WithHTTPClient(srv.Client())}, true
		user, password = mock.DefaultUser, mock.DefaultPassword
	}
	cl.c = cl.login(user, password)
	return cl
}

// as is the same cluster used as another user.
func (cl *cluster) as(user, password string) *cluster {
	cl.t.Helper()
	other := *cl
	other.c = cl.login(user, password)
	return &other
}

// withToken is the same cluster reached with a bearer token, as automation
// holding an access token reaches it.
func (cl *cluster) withToken(token string) *cluster {
	cl.t.Helper()
	c, err := client.New(cl.url, slices.Concat(cl.opts, []client.Option{client.WithToken(token)})...)
	if err != nil {
		cl.t.Fatal(err)
	}
	other := *cl
	other.c = c
	return &other
}

func (cl *cluster) login(user, password string) *client.Client {
	cl.t.Helper()
	c, err := client.New(cl.url, slices.Concat(cl.opts, []client.Option{client.WithCredentials(user, password)})...)
	if err != nil {
		cl.t.Fatal(err)
	}
	return c
}

// needWrites skips a test that changes the cluster unless writes are allowed.
func (cl *cluster) needWrites() {
	cl.t.Helper()
	if !cl.writes {
		cl.t.Skip("writes to a real cluster need QAPI_ALLOW_WRITES=1")
	}
}

// reply is an answer: its status, headers and decoded body.
type reply struct {
	status int
	header http.Header
	body   any
}

func (r reply) obj() map[string]any {
	m, _ := r.body.(map[string]any)
	return m
}

func (r reply) str(field string) string {
	s, _ := r.obj()[field].(string)
	return s
}

// call sends a request and answers the reply, or the *client.APIError of a
// refusal; it fails the test only when no answer came.
func (cl *cluster) call(method, path string, body any, header ...string) (reply, error) {
	cl.t.Helper()
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			cl.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, cl.c.BaseURL()+path, rd)
	if err != nil {
		cl.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := cl.c.Do(req)
	if err != nil {
		cl.t.Fatalf("%s %s: %v", method, path, err)
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		cl.t.Fatalf("%s %s: %v", method, path, err)
	}
	if err := cl.c.CheckResponse(resp, data); err != nil {
		return reply{status: resp.StatusCode, header: resp.Header}, err
	}
	r := reply{status: resp.StatusCode, header: resp.Header}
	if len(bytes.TrimSpace(data)) > 0 {
		if err := json.Unmarshal(data, &r.body); err != nil {
			cl.t.Fatalf("%s %s: the answer is not JSON: %v", method, path, err)
		}
	}
	return r, nil
}

// must is call for a request that has to succeed.
func (cl *cluster) must(method, path string, body any, header ...string) reply {
	cl.t.Helper()
	r, err := cl.call(method, path, body, header...)
	if err != nil {
		cl.t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

// refused checks that a request fails with the error class a client
// branches on; classes separated by | are alternatives, for what clusters
// answer one way or another.
func (cl *cluster) refused(class string, method, path string, body any, header ...string) *client.APIError {
	cl.t.Helper()
	_, err := cl.call(method, path, body, header...)
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) {
		cl.t.Fatalf("%s %s succeeded, want %s", method, path, class)
	}
	if !slices.Contains(strings.Split(class, "|"), apiErr.ErrorClass) {
		cl.t.Fatalf("%s %s: error class %q (status %d), want %s", method, path, apiErr.ErrorClass, apiErr.StatusCode, class)
	}
	return apiErr
}

// fsPath is a file reference as a path segment: the path URL-encoded.
func fsPath(p string) string { return url.PathEscape(p) }

// scratch is a name no other run uses.
func scratch(t *testing.T) string {
	return fmt.Sprintf("qapi-%s-%08x", strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-")), rand.Uint32())
}
