// Package mocktest starts the fake cluster of package mock for a Go test,
// on loopback, and stops it when the test ends; it keeps the testing
// package out of programs that serve the mock.
package mocktest

import (
	"testing"

	"github.com/qapitools/qapi/mock"
)

// NewServer starts a mock on an ephemeral loopback port for a test and
// stops it when the test ends. It fails the test when the mock cannot start.
func NewServer(t testing.TB, opts ...mock.Option) *mock.Server {
	t.Helper()
	s, err := mock.Start(append([]mock.Option{mock.WithAddr("127.0.0.1:0")}, opts...)...)
	if err != nil {
		t.Fatalf("start mock: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("stop mock: %v", err)
		}
	})
	return s
}
