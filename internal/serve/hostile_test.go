package serve

// Regression tests for issue 10: a server that buffered many large bodies
// hands the memory back once they are gone.

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

func TestHostileMemoryHandedBack(t *testing.T) {
	freed := make(chan struct{}, 4)
	freeOSMemory = func() { freed <- struct{}{} }
	t.Cleanup(func() { freeOSMemory = debug.FreeOSMemory })

	// Small bodies do not count, and nothing is handed back while a large
	// one is still held.
	var cancels []context.CancelFunc
	for range 20 {
		ctx, cancel := context.WithCancel(context.Background())
		Hold(ctx, 1<<20)
		Hold(ctx, 100)
		cancels = append(cancels, cancel)
	}
	for _, c := range cancels[1:] {
		c()
	}
	select { // longer than the settle before a hand-back would come
	case <-freed:
		t.Fatal("memory handed back while a body was still held")
	case <-time.After(2 * settle):
	}
	cancels[0]()
	<-freed // the test times out if it never comes
	if held.Load() != 0 {
		t.Errorf("%d bytes still counted as held", held.Load())
	}
}

// A body that stops coming is cut; one that keeps coming, however slowly
// in total, is read whole, and the request is not canceled afterwards by
// a deadline left behind.
func TestHostileStalledBodyCut(t *testing.T) {
	stallAfter = 200 * time.Millisecond
	t.Cleanup(func() { stallAfter = StallTimeout })
	type result struct {
		n        int
		err      error
		canceled bool
	}
	results := make(chan result, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		StallBody(w, r)
		b, err := io.ReadAll(r.Body)
		if err == nil {
			// Work that outlasts the stall deadline, as waiting on an
			// upstream does.
			time.Sleep(2 * stallAfter)
		}
		results <- result{len(b), err, r.Context().Err() != nil}
	}))
	t.Cleanup(srv.Close)
	addr := strings.TrimPrefix(srv.URL, "http://")

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprint(conn, "PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly ten b")
	if r := <-results; r.err == nil {
		t.Fatalf("a stalled body was read without error (%d bytes)", r.n)
	}

	conn2, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close()
	fmt.Fprint(conn2, "PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n")
	for _, b := range []string{"a", "b", "c", "d"} {
		time.Sleep(stallAfter / 2)
		fmt.Fprint(conn2, b)
	}
	if r := <-results; r.err != nil || r.n != 4 || r.canceled {
		t.Fatalf("a slow but steady body: %+v", r)
	}
}
