package client_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qapitools/qapi/client"
	"github.com/qapitools/qapi/gen"
	"github.com/qapitools/qapi/mock"
	"github.com/qapitools/qapi/mock/mocktest"
)

// A file's data goes as bytes both ways, more than the client's bound on
// answers and the twin's on JSON bodies (1 MiB each here), and reads in
// ranges; a missing file is an *APIError like any other.
func TestFileDataAgainstTheTwin(t *testing.T) {
	t.Parallel()
	tw := mocktest.New(t)
	c := tw.NewClient(client.WithMaxResponseBytes(1 << 20))
	ctx := t.Context()
	f, err := c.Files.CreateFileEntry(ctx, "/", gen.FilesCreateEntry{Name: client.Ptr("big.bin"), Action: client.Ptr(gen.CreateFile)})
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 3<<20)
	for i := range data {
		data[i] = byte(i * 7)
	}
	// Not a *bytes.Reader: a reader that cannot rewind, as a file or a pipe.
	attrs, err := c.Files.ReplaceFileData(ctx, *f.ID, io.MultiReader(bytes.NewReader(data)))
	if err != nil {
		t.Fatal(err)
	}
	if *attrs.Size != "3145728" {
		t.Errorf("size after the write = %s", *attrs.Size)
	}

	rc, err := c.Files.GetFileData(ctx, "/big.bin", nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	if cerr := rc.Close(); err == nil {
		err = cerr
	}
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read %d bytes (%v), want the %d written", len(got), err, len(data))
	}

	rc, err = c.Files.GetFileData(ctx, *f.ID, &gen.GetFileDataParams{Offset: client.Ptr(int64(1 << 20)), Length: client.Ptr(int64(10))})
	if err != nil {
		t.Fatal(err)
	}
	got, _ = io.ReadAll(rc)
	_ = rc.Close()
	if !bytes.Equal(got, data[1<<20:1<<20+10]) {
		t.Errorf("range read %v, want %v", got, data[1<<20:1<<20+10])
	}

	if _, err := c.Files.UpdateFileData(ctx, *f.ID, &gen.UpdateFileDataParams{Offset: client.Ptr(int64(2))}, bytes.NewReader([]byte("XY"))); err != nil {
		t.Fatal(err)
	}
	if b := tw.ReadFile("/big.bin"); !bytes.Equal(b[:5], []byte{0, 7, 'X', 'Y', 28}) {
		t.Errorf("after the PATCH the file starts %v", b[:5])
	}

	_, err = c.Files.GetFileData(ctx, "/missing", nil)
	var apiErr *client.APIError
	if !client.IsNotFound(err) || !errors.As(err, &apiErr) || apiErr.ErrorClass != "fs_no_such_entry_error" {
		t.Errorf("read of a missing file: %v, want 404 fs_no_such_entry_error", err)
	}
	_, err = c.Files.ReplaceFileData(ctx, "/missing", bytes.NewReader([]byte("x")))
	if !client.IsNotFound(err) {
		t.Errorf("write of a missing file: %v, want 404", err)
	}
}

// gate is a reader that yields its first part, then waits for open before
// the rest: a client that read the whole body before sending would wait
// for ever.
type gate struct {
	first, rest []byte
	open        chan struct{}
	ctx         context.Context
}

func (g *gate) Read(p []byte) (int, error) {
	if len(g.first) > 0 {
		n := copy(p, g.first)
		g.first = g.first[n:]
		return n, nil
	}
	if g.rest == nil {
		return 0, io.EOF
	}
	select {
	case <-g.open:
	case <-g.ctx.Done():
		return 0, g.ctx.Err()
	}
	n := copy(p, g.rest)
	if g.rest = g.rest[n:]; len(g.rest) == 0 {
		g.rest = nil
	}
	return n, nil
}

// Neither way is a body held whole: the server sees the start of an upload
// before the client has read the rest from its reader, and the caller
// reads the start of a download before the server has sent the rest.
func TestFileDataStreams(t *testing.T) {
	t.Parallel()
	// A bound against a client that does hold bodies whole, which would
	// otherwise wait for ever; a passing run takes milliseconds.
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	started, finish := make(chan struct{}), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPut:
			if _, err := io.ReadFull(r.Body, make([]byte, 5)); err != nil {
				t.Errorf("server: %v", err)
				return
			}
			close(started)
			rest, _ := io.ReadAll(r.Body)
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"size":"` + strconv.Itoa(5+len(rest)) + `"}`))
		case http.MethodGet:
			w.Header().Set("Content-Type", "application/octet-stream")
			_, _ = w.Write([]byte("first"))
			w.(http.Flusher).Flush()
			select {
			case <-finish:
			case <-r.Context().Done():
				return
			}
			_, _ = w.Write([]byte("rest"))
		}
	}))
	defer srv.Close()
	c, err := client.New(srv.URL, client.WithToken("access-v1:test"))
	if err != nil {
		t.Fatal(err)
	}

	g := &gate{first: []byte("start"), rest: []byte("1234"), open: started, ctx: ctx}
	attrs, err := c.Files.ReplaceFileData(ctx, "/f", g)
	if err != nil || *attrs.Size != "9" {
		t.Fatalf("upload: %+v, %v", attrs, err)
	}

	rc, err := c.Files.GetFileData(ctx, "/f", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	first := make([]byte, 5)
	if _, err := io.ReadFull(rc, first); err != nil || string(first) != "first" {
		t.Fatalf("start of the download: %q, %v", first, err)
	}
	close(finish)
	rest, err := io.ReadAll(rc)
	if err != nil || string(rest) != "rest" {
		t.Fatalf("rest of the download: %q, %v", rest, err)
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatal("the bound ran out")
	}
}

// A write whose reader can rewind is retried as any PUT is; one whose
// reader cannot is sent once, since a replay would need the body held.
func TestFileDataRetriesOnlyWhatRewinds(t *testing.T) {
	t.Parallel()
	tw := mocktest.New(t)
	c := tw.NewClient(client.WithRetry(client.RetryPolicy{MaxAttempts: 2, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}))
	tw.WriteFile("/f", nil)
	busy := mock.Reaction{Method: "PUT", Path: "/v1/files/{ref}/data", Status: http.StatusServiceUnavailable, Class: "http_service_unavailable_error", Times: 1}

	tw.React(busy)
	if _, err := c.Files.ReplaceFileData(t.Context(), "/f", io.MultiReader(bytes.NewReader([]byte("once")))); err == nil || !strings.Contains(err.Error(), "503") {
		t.Errorf("a reader that cannot rewind: %v, want the 503 of its one attempt", err)
	}
	tw.React(busy)
	if _, err := c.Files.ReplaceFileData(t.Context(), "/f", bytes.NewReader([]byte("twice"))); err != nil {
		t.Errorf("a reader that rewinds: %v, want the retry to pass", err)
	}
	if got := tw.ReadFile("/f"); string(got) != "twice" {
		t.Errorf("the file holds %q", got)
	}
}

// A named stream's data goes as bytes both ways too, in ranges, and its
// size follows.
func TestStreamDataAgainstTheTwin(t *testing.T) {
	t.Parallel()
	tw := mocktest.New(t)
	c := tw.NewClient()
	ctx := t.Context()
	f, err := c.Files.CreateFileEntry(ctx, "/", gen.FilesCreateEntry{Name: client.Ptr("doc.txt"), Action: client.Ptr(gen.CreateFile)})
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.Files.CreateFileStream(ctx, f.GetID(), gen.NamedStreamEntry{StreamName: client.Ptr("Zone.Identifier")})
	if err != nil {
		t.Fatal(err)
	}
	attrs, err := c.Files.ReplaceFileStreamData(ctx, f.GetID(), s.GetID(), strings.NewReader("[ZoneTransfer]\nZoneId=3\n"))
	if err != nil {
		t.Fatal(err)
	}
	if attrs.GetSize() != "24" {
		t.Errorf("size after the write = %q, want 24", attrs.GetSize())
	}
	rc, err := c.Files.GetFileStreamData(ctx, f.GetID(), s.GetID(), &gen.GetFileStreamDataParams{Offset: client.Ptr(int64(15)), Length: client.Ptr(int64(6))})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	if cerr := rc.Close(); err == nil {
		err = cerr
	}
	if err != nil || string(got) != "ZoneId" {
		t.Fatalf("read %q (%v), want ZoneId", got, err)
	}
}
