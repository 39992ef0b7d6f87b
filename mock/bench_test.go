package mock

import (
	"net/http/httptest"
	"testing"
)

// BenchmarkGetKeyStore is the hot path bench/mock.go measures over the
// network: route, authenticate, validate, answer.
func BenchmarkGetKeyStore(b *testing.B) {
	m, err := New()
	if err != nil {
		b.Fatal(err)
	}
	tok, _ := m.auth.login(DefaultUser, DefaultPassword)
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
