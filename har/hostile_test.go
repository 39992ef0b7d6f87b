package har

// Regression tests for issue 10: a recording of any size is read one entry
// at a time, and one huge entry is refused by name; for issue 21: secrets
// in new shapes never reach a recording.

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	qapi "github.com/qapitools/qapi"
	"github.com/qapitools/qapi/check"
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

// exchange is one recorded exchange of TestHostileSecretShapesRecorded.
type exchange struct {
	method, url, contentType, body string
	status                         int
	answer                         string
}

// Secrets in the shapes of issue 21 never reach a recording written the
// way qapi proxy writes it: each exchange redacted with the Checker's scope
// for it, then appended to the archive on disk.
func TestHostileSecretShapesRecorded(t *testing.T) {
	t.Parallel()
	spec, err := qapi.Spec()
	if err != nil {
		t.Fatal(err)
	}
	c, err := check.NewChecker(spec)
	if err != nil {
		t.Fatal(err)
	}
	const keytab = `{"entries":[{"principal":"nfs/host@REALM","enctype":"AES256_CTS_HMAC_SHA1_96","version":2,"key":[201,17,254,3,88,140,66,9]}]}`
	exchanges := []exchange{
		{"PUT", "https://cluster:8000/v1/auth/kerberos-keytab", "application/json", keytab, 200, keytab},
		{"GET", "https://cluster:8000/v1/auth/kerberos-keytab", "", "", 200, keytab},
		{"POST", "https://cluster:8000/v1/session/change-password", "application/json",
			`{"old_password":"0ld-Secret-1","new_password":"n3w-Secret-2",}`, 400,
			`{"description":"bad JSON: {\"old_password\":\"0ld-Secret-1\",\"new_password\":\"n3w-Secret-2\",}"}`},
		{"POST", "https://cluster:8000/v1/session/login", "text/x-python",
			`{'username': 'admin', 'password': 'pyth0n-Secret-77'}`, 400, `{"description":"password pyth0n-Secret-77 refused"}`},
		{"POST", "https://cluster:8000/v1/session/login", "multipart/form-data; boundary=XyZ",
			"--XyZ\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nadmin\r\n--XyZ\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\nmult1part-Secret\r\n--XyZ--\r\n", 415, `{"description":"no"}`},
		{"GET", "https://cluster:8000/v1/version?api_key=query-Api-Key-9&apikey=Zq9&limit=5", "", "", 200, `{"revision_id":"Qumulo Core 7.2.3"}`},
	}
	path := filepath.Join(t.TempDir(), "r.har")
	w, err := Create(path, "test")
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range exchanges {
		req, err := http.NewRequest(x.method, x.url, nil)
		if err != nil {
			t.Fatal(err)
		}
		if x.contentType != "" {
			req.Header.Set("Content-Type", x.contentType)
		}
		tr := check.Traffic{Request: req, RequestBody: []byte(x.body), Status: x.status,
			Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(x.answer)}
		tr.Redactor = c.Scope(tr)
		c.CheckRequest(tr)
		c.CheckResponse(tr)
		if err := w.Add(NewEntry(tr.Redactor, time.Now(), time.Millisecond, tr)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(data, path); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"201,17,254,3,88,140,66,9", "0ld-Secret-1", "n3w-Secret-2", "pyth0n-Secret-77",
		"mult1part-Secret", "query-Api-Key-9", "Zq9"} {
		if n := strings.Count(string(data), secret); n > 0 {
			t.Errorf("the recording holds %q %d times", secret, n)
		}
	}
	if n := strings.Count(string(data), `\"key\":\"[REDACTED]\"`); n != 3 {
		t.Errorf("%d keytab keys marked, want 3:\n%s", n, data)
	}
}
