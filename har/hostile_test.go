package har

// Regression tests for issue 10: a recording of any size is read one entry
// at a time, and one huge entry is refused by name.

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeHAR(t *testing.T, entries int, entry func(i int) string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "big.har")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprint(w, `{"log":{"version":"1.2","creator":{"name":"t","version":"1"},"entries":[`)
	for i := range entries {
		if i > 0 {
			fmt.Fprint(w, ",")
		}
		fmt.Fprint(w, entry(i))
	}
	fmt.Fprint(w, `],"pages":[]}}`)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func entryWithBody(i int, body string) string {
	return fmt.Sprintf(`{"startedDateTime":"2026-01-01T00:00:00.000Z","time":1,"request":{"method":"GET","url":"http://x/%d","httpVersion":"HTTP/1.1","cookies":[],"headers":[],"queryString":[],"headersSize":-1,"bodySize":0},"response":{"status":200,"statusText":"OK","httpVersion":"HTTP/1.1","cookies":[],"headers":[],"content":{"size":%d,"mimeType":"text/plain","text":%q},"redirectURL":"","headersSize":-1,"bodySize":%d},"cache":{},"timings":{"send":0,"wait":1,"receive":0}}`, i, len(body), body, len(body))
}

// ScanFile hands the entries over one at a time, in order, with the log's
// other members; verify read the whole file into memory (a 500 MB recording
// took 2.1 GB).
func TestHostileScanStreams(t *testing.T) {
	t.Parallel()
	path := writeHAR(t, 300, func(i int) string { return entryWithBody(i, strings.Repeat("b", 10<<10)) })
	n := 0
	lg, err := ScanFile(path, func(i int, e *Entry) error {
		if i != n || e.Request.URL != fmt.Sprintf("http://x/%d", i) {
			t.Fatalf("entry %d: %s", i, e.Request.URL)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 300 || lg.Version != "1.2" || lg.Creator.Name != "t" || len(lg.Entries) != 0 {
		t.Errorf("%d entries, log %+v", n, lg)
	}
}

// An entry larger than MaxEntryBytes is refused with its index, before it
// is read whole.
func TestHostileHugeEntryRefused(t *testing.T) {
	t.Parallel()
	path := writeHAR(t, 2, func(i int) string {
		if i == 1 {
			// The bound is checked as the file is read, which runs a buffer
			// ahead of the decoder.
			return entryWithBody(i, strings.Repeat("h", MaxEntryBytes+1<<20))
		}
		return entryWithBody(i, "small")
	})
	seen := 0
	_, err := ScanFile(path, func(int, *Entry) error { seen++; return nil })
	if err == nil || !strings.Contains(err.Error(), "log.entries[1]: larger than 64 MiB") || !strings.Contains(err.Error(), path) {
		t.Fatalf("err = %v", err)
	}
	if seen != 1 {
		t.Errorf("%d entries handed over before the error, want 1", seen)
	}
}

// A file with data after the archive is not taken for one.
func TestHostileTrailingDataRefused(t *testing.T) {
	t.Parallel()
	_, err := Parse([]byte(`{"log":{"entries":[]}} trailing`), "t.har")
	if err == nil || !strings.Contains(err.Error(), "t.har: not a HAR file: line 1, column 24: data after the archive") {
		t.Fatalf("err = %v", err)
	}
}
