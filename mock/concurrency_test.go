package mock

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	qapi "github.com/qapitools/qapi"
)

// combinedSpec is the embedded api.yaml plus the engine test's paths, so
// typed handlers and the engine share one server.
func combinedSpec(t testing.TB) *openapi3.T {
	t.Helper()
	// A copy of its own: the test adds paths, and qapi.Spec() is shared.
	doc, err := openapi3.NewLoader().LoadFromData(qapi.APIYAML)
	if err != nil {
		t.Fatal(err)
	}
	extra := loadSpec(t, engineSpec)
	for path, item := range extra.Paths.Map() {
		if doc.Paths.Value(path) == nil {
			for _, op := range item.Operations() {
				if op.Security == nil {
					op.Security = &extra.Security
				}
			}
			doc.Paths.Set(path, item)
		}
	}
	for name, s := range extra.Components.Schemas {
		doc.Components.Schemas[name] = s
	}
	return doc
}

// write is a write the server acknowledged, with the revision its ETag
// carries: the order in which it took effect.
type write struct {
	rev          uint64
	method, path string
	body         any
}

func revOf(tag string) (uint64, error) {
	n, ok := strings.CutPrefix(strings.Trim(tag, `"`), "qapi-")
	if !ok {
		return 0, fmt.Errorf("ETag %q is not a mock revision", tag)
	}
	return strconv.ParseUint(n, 10, 64)
}

// TestConcurrentWritesLinearize mixes reads and writes from 64 goroutines on
// a few shared resources; no answer may be a 5xx, and the final state must
// equal a sequential replay of the acknowledged writes in the order their
// revisions say.
func TestConcurrentWritesLinearize(t *testing.T) {
	t.Parallel()
	doc := combinedSpec(t)
	clock := func() time.Time { return time.Date(2024, 10, 16, 0, 0, 0, 0, time.UTC) }
	c := setup(t, WithSpec(doc), WithClock(clock))
	// Items are created before they are written, here and in the replay,
	// which gives them the same ids.
	var things []string
	for _, name := range []string{"a", "b", "c"} {
		things = append(things, "/v1/things/"+c.do("POST", "/v1/things/", map[string]any{"name": name}, nil).json(t)["id"].(string))
	}
	reads := append([]string{"/v1/settings", "/v2/encryption/key-store", "/v1/things/"}, things...)

	const workers, perWorker = 64, 25
	var (
		mu     sync.Mutex
		acked  []write
		failed []string
		wg     sync.WaitGroup
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		failed = append(failed, fmt.Sprintf(format, args...))
	}
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 99))
			for i := range perWorker {
				var method, path string
				var body any
				switch rng.IntN(7) {
				case 0, 1:
					method, path = "GET", reads[rng.IntN(len(reads))]
				case 2:
					method, path, body = "PUT", things[rng.IntN(len(things))], map[string]any{"name": fmt.Sprintf("w%d-%d", w, i), "size": rng.IntN(100)}
				case 3:
					method, path, body = "PATCH", things[rng.IntN(len(things))], map[string]any{"size": rng.IntN(100)}
				case 4:
					method, path, body = "PUT", "/v1/settings", map[string]any{"enabled": rng.IntN(2) == 1, "password": "p"}
				case 5:
					method, path, body = "POST", "/v1/things/", map[string]any{"name": fmt.Sprintf("new-w%d-%d", w, i)}
				case 6:
					method, path = "PUT", "/v2/encryption/key-store"
					if rng.IntN(2) == 0 {
						body = map[string]any{"type": "Local"}
					} else {
						body = kmsBody(t, func(s map[string]any) { s["hostname"] = fmt.Sprintf("kms%d.example.com", w) })
					}
				}
				r, err := c.try(method, path, body, nil)
				if err != nil {
					fail("%v", err)
					return
				}
				if r.status >= 500 || r.status < 200 || r.status > 299 {
					fail("%s %s: status %d: %s", method, path, r.status, r.body)
					continue
				}
				if method == "GET" {
					continue
				}
				rev, err := revOf(r.header.Get("ETag"))
				if err != nil {
					fail("%s %s: %v", method, path, err)
					continue
				}
				mu.Lock()
				acked = append(acked, write{rev, method, path, body})
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for _, f := range failed {
		t.Error(f)
	}
	if t.Failed() {
		return
	}

	sort.Slice(acked, func(i, j int) bool { return acked[i].rev < acked[j].rev })
	replay := setup(t, WithSpec(doc), WithClock(clock))
	for _, name := range []string{"a", "b", "c"} {
		replay.do("POST", "/v1/things/", map[string]any{"name": name}, nil)
	}
	for _, w := range acked {
		if r := replay.do(w.method, w.path, w.body, nil); r.status != http.StatusOK {
			t.Fatalf("replay %s %s: %d %s", w.method, w.path, r.status, r.body)
		}
	}
	for _, path := range reads {
		got, want := c.do("GET", path, nil, nil), replay.do("GET", path, nil, nil)
		if !bytes.Equal(got.body, want.body) {
			t.Errorf("%s after concurrent writes:\n%s\nafter sequential replay:\n%s", path, got.body, want.body)
		}
	}
	t.Logf("%d requests, %d acknowledged writes replayed", workers*perWorker, len(acked))
}
