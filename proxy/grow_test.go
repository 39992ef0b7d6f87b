package proxy

import (
	"context"
	"testing"
)

// A body's buffer grows with what the peer sent, not with the length it
// announced: a client that announces the largest body and sends a byte
// holds a page of the shared budget, not all of its share.
func TestGrowFollowsWhatArrives(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := &Proxy{cfg: Config{MaxBodyBytes: 1 << 20, MaxKeptBytes: 8 << 20}}
	for _, tt := range []struct {
		announced, wantCap int64
	}{
		{1 << 20, 4096},
		{100, 101}, // a small body is seen to its end at once
		{-1, 4096},
	} {
		var buf []byte
		ex := &flight{}
		if !p.grow(ctx, &buf, tt.announced, ex) || int64(cap(buf)) != tt.wantCap || ex.held != tt.wantCap {
			t.Errorf("announced %d: buffer of %d, %d held; want %d", tt.announced, cap(buf), ex.held, tt.wantCap)
		}
		p.kept.Add(-ex.held)
	}
}
