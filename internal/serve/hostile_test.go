package serve

// Regression tests for issue 10: a server that buffered many large bodies
// hands the memory back once they are gone.

import (
	"context"
	"runtime/debug"
	"testing"
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
	select {
	case <-freed:
		t.Fatal("memory handed back while a body was still held")
	default:
	}
	cancels[0]()
	<-freed // the test times out if it never comes
	if held.Load() != 0 {
		t.Errorf("%d bytes still counted as held", held.Load())
	}
}
