package mock

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkGetKeyStore is the hot path bench/mock.go measures over the
// network: route, authenticate, validate, answer.
func BenchmarkGetKeyStore(b *testing.B) {
	m, err := New()
	if err != nil {
		b.Fatal(err)
	}
	tok, _, _ := m.auth.login(DefaultUser, DefaultPassword)
	req := httptest.NewRequest("GET", "/v2/encryption/key-store", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		m.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
	}
}

// BenchmarkFileSystemWorkflow is one cycle of the workflow bench/twin.go
// measures over the network: create a directory, stat it by path, list its
// parent, delete it.
func BenchmarkFileSystemWorkflow(b *testing.B) {
	m, err := New()
	if err != nil {
		b.Fatal(err)
	}
	tok, _, _ := m.auth.login(DefaultUser, DefaultPassword)
	do := func(method, path, body string) {
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req := httptest.NewRequest(method, path, rd)
		req.Header.Set("Authorization", "Bearer "+tok)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		rec := httptest.NewRecorder()
		m.ServeHTTP(rec, req)
		if rec.Code/100 != 2 {
			b.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body.Bytes())
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		do("POST", "/v1/files/%2F/entries/", `{"name":"d","action":"CREATE_DIRECTORY"}`)
		do("GET", "/v1/files/%2Fd/info/attributes", "")
		do("GET", "/v1/files/%2F/entries/?limit=100", "")
		do("DELETE", "/v1/files/%2Fd", "")
	}
}

// BenchmarkNewTwin is the cost of a fresh twin per test after the first:
// what mocktest pays for isolation.
func BenchmarkNewTwin(b *testing.B) {
	if _, err := New(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(); err != nil {
			b.Fatal(err)
		}
	}
}
