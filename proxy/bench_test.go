package proxy_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	qapi "github.com/qapitools/qapi"
	"github.com/qapitools/qapi/mock"
	"github.com/qapitools/qapi/proxy"
)

// BenchmarkProxyGet measures one GET through the proxy to an in-process
// mock; compare with BenchmarkMockGet for the proxy's cost (make bench
// measures it with wrk).
func BenchmarkProxyGet(b *testing.B) {
	m, err := mock.New()
	if err != nil {
		b.Fatal(err)
	}
	upstream := httptest.NewServer(m.Handler())
	b.Cleanup(upstream.Close)
	spec, err := qapi.Spec()
	if err != nil {
		b.Fatal(err)
	}
	u, _ := url.Parse(upstream.URL)
	p, err := proxy.New(proxy.Config{Upstream: u, Spec: spec})
	if err != nil {
		b.Fatal(err)
	}
	front := httptest.NewServer(p)
	b.Cleanup(front.Close)
	benchGet(b, front.URL, upstream.URL)
}

func benchGet(b *testing.B, base, loginBase string) {
	tok := benchLogin(b, loginBase)
	hc := &http.Client{}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("GET", base+"/v2/encryption/key-store", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := hc.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
}

func benchLogin(b *testing.B, base string) string {
	b.Helper()
	resp, err := http.Post(base+"/v1/session/login", "application/json", stringsReader(`{"username":"admin","password":"admin"}`))
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var cred struct {
		BearerToken string `json:"bearer_token"`
	}
	if err := jsonDecode(resp.Body, &cred); err != nil {
		b.Fatal(err)
	}
	return cred.BearerToken
}

func stringsReader(s string) io.Reader { return strings.NewReader(s) }

func jsonDecode(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }
