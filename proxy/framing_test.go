package proxy_test

// Regression test for issue 21: a request body the proxy read whole went
// on re-framed as chunked, which an upstream without chunked requests
// reads out of step on a reused connection.

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/qapitools/qapi/proxy"
)

func TestBufferedBodyKeepsItsLength(t *testing.T) {
	t.Parallel()
	type framing struct {
		length   int64
		encoding string
		n        int
	}
	got := make(chan framing, 1)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- framing{r.ContentLength, strings.Join(r.TransferEncoding, ","), len(b)}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, keyStore)
	}))
	t.Cleanup(up.Close)
	e := setupUpstream(t, up.URL, nil, func(c *proxy.Config) { c.MaxBodyBytes = 1 << 10 }, nil)
	put := func(body string) framing {
		t.Helper()
		// A reader of unknown length: the client sends it chunked.
		req, err := http.NewRequest("PUT", e.url+"/v2/encryption/key-store", io.MultiReader(strings.NewReader(body)))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return <-got
	}
	small := `{"type":"Local"}`
	if f := put(small); f.length != int64(len(small)) || f.encoding != "" || f.n != len(small) {
		t.Errorf("a body read whole reached the upstream as %+v, want Content-Length %d", f, len(small))
	}
	// One too large to keep streams on, chunked as it came.
	large := `{"type":"Local","pad":"` + strings.Repeat("x", 2<<10) + `"}`
	if f := put(large); f.length != -1 || f.encoding != "chunked" || f.n != len(large) {
		t.Errorf("a streamed body reached the upstream as %+v", f)
	}
}
