package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/qapitools/qapi/convert"
	"github.com/qapitools/qapi/mock"
)

// The twin section measures the mock as a twin of a cluster, serving the
// whole guide: the throughput of a file-system workflow, its memory with
// 100,000 entries, and, against a build of another revision (-against),
// the key-store GET rate, which the twin's modules must not slow down.
const (
	twinWorkers     = 4
	twinRunTime     = 3 * time.Second
	twinEntries     = 100_000
	twinPerDir      = 1000
	twinKeyStoreGap = 0.10 // the key-store GET rate may fall at most this much
)

func init() {
	register(section{name: "Twin", run: runTwin})
}

func runTwin(ctx context.Context, cfg config) (string, error) {
	dir := filepath.Join(cfg.corpus, mockRevision)
	if _, err := os.Stat(dir); err != nil {
		return fmt.Sprintf("Skipped: the corpus revision %s is not at %s.\n", mockRevision, dir), nil
	}
	built, err := convert.Build([]convert.Source{{Name: mockRevision, FS: os.DirFS(dir)}}, nil, convert.Options{})
	if err != nil {
		return "", fmt.Errorf("convert %s: %w", mockRevision, err)
	}
	var b strings.Builder

	// Throughput: each worker creates a directory, stats it by path, lists
	// its parent a page at a time and deletes it, over and over.
	srv, err := mock.Start(mock.WithSpec(built.Doc))
	if err != nil {
		return "", err
	}
	defer srv.Close()
	tok, err := login(ctx, srv.URL)
	if err != nil {
		return "", err
	}
	rounds := min(cfg.reps, 3)
	var cycles []float64
	for r := range rounds {
		fmt.Fprintf(cfg.log, "bench: twin file-system workflow, round %d/%d\n", r+1, rounds)
		n, err := fsWorkflow(ctx, srv.URL, tok, r)
		if err != nil {
			return "", err
		}
		cycles = append(cycles, n/twinRunTime.Seconds())
	}
	med := median(cycles, func(f float64) float64 { return f })
	fmt.Fprintf(&b, "A file-system workflow on the twin serving the whole %s guide (%d operations), in process, over loopback HTTP with keep-alive: %d workers each repeat create a directory (POST …/entries/), stat it by path (GET …/info/attributes), list its parent (GET …/entries/?limit=100) and delete it (DELETE /v1/files/{id}), for %s; %d rounds, median.\n\n", mockRevision, built.Operations, twinWorkers, twinRunTime, rounds)
	b.WriteString("| workflow cycles/s (median) | requests/s | rounds |\n|---:|---:|---|\n")
	runs := make([]string, len(cycles))
	for i, c := range cycles {
		runs[i] = comma(c)
	}
	fmt.Fprintf(&b, "| %s | %s | %s |\n", comma(med), comma(4*med), strings.Join(runs, ", "))

	// Memory: the twin as its own process, before and after 100,000
	// entries, so the figure is the twin's and not the bench's.
	tmp, err := os.MkdirTemp("", "qapi-bench-twin-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	spec := filepath.Join(tmp, "whole.yaml")
	if err := os.WriteFile(spec, built.YAML, 0o600); err != nil {
		return "", err
	}
	bin := filepath.Join(tmp, "qapi")
	if err := buildQapi(ctx, cfg, cfg.root, bin); err != nil {
		return "", err
	}
	fmt.Fprintf(cfg.log, "bench: twin with %d entries\n", twinEntries)
	before, after, took, err := twinMemory(ctx, bin, spec)
	if err != nil {
		fmt.Fprintf(&b, "\nMemory with %d entries: failed: %v\n", twinEntries, err)
	} else {
		fmt.Fprintf(&b, "\nResident memory (VmRSS) of `qapi mock --spec whole.yaml` as its own process, after start and after %s files were created in directories of %s (%d workers, %s, %s entries/s):\n\n", comma(twinEntries), comma(twinPerDir), twinWorkers, took.Round(time.Millisecond), comma(twinEntries/took.Seconds()))
		b.WriteString("| after start | with 100,000 entries | per entry |\n|---:|---:|---:|\n")
		fmt.Fprintf(&b, "| %.1f MiB | %.1f MiB | %s bytes |\n", before, after, comma((after-before)*1024*1024/twinEntries))
	}

	// The key-store GET rate next to a build of the revision named by
	// -against, both as processes serving the same seed cut; and this
	// revision on its embedded api.yaml, the whole guide.
	if cfg.against == "" {
		b.WriteString("\nKey-store GET against an earlier revision: not measured (run with `-against REV`).\n")
		return b.String(), nil
	}
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		b.WriteString("\nKey-store GET against an earlier revision: skipped, `wrk` is not installed.\n")
		return b.String(), nil
	}
	old := filepath.Join(tmp, "qapi-"+cfg.against)
	if err := buildRevision(ctx, cfg, cfg.against, tmp, old); err != nil {
		return b.String(), err
	}
	seedFile, err := writeSeedSpec(tmp)
	if err != nil {
		return b.String(), err
	}
	whole := "this revision, embedded api.yaml"
	rates := map[string][]float64{}
	builds := []struct {
		name, bin string
		args      []string
	}{{"this revision", bin, []string{"--spec", seedFile}}, {cfg.against, old, []string{"--spec", seedFile}}, {whole, bin, nil}}
	for r := range rounds {
		for i := range builds {
			v := builds[(i+r)%len(builds)] // who goes first rotates
			fmt.Fprintf(cfg.log, "bench: key-store GET, %s (round %d/%d)\n", v.name, r+1, rounds)
			rps, err := keyStoreRate(ctx, v.bin, wrk, v.args...)
			if err != nil {
				return b.String(), fmt.Errorf("%s: %w", v.name, err)
			}
			rates[v.name] = append(rates[v.name], rps)
		}
	}
	now, then := median(rates["this revision"], func(f float64) float64 { return f }), median(rates[cfg.against], func(f float64) float64 { return f })
	verdict := "met"
	if now < then*(1-twinKeyStoreGap) {
		verdict = "**missed**"
	}
	fmt.Fprintf(&b, "\n`GET %s` on `qapi mock` as its own process, this revision next to `%s` built from git, both serving the same file (`--spec`, %s), and this revision on its embedded api.yaml (%d operations), `wrk -t2 -c32 -d%s`, %d interleaved rounds, median requests per second:\n\n", mockPath, cfg.against, seedLabel(), qapiOps(), mockWrkDuration, rounds)
	b.WriteString("| build | req/s (median) | runs |\n|---|---:|---|\n")
	for _, name := range []string{"this revision", cfg.against, whole} {
		runs := make([]string, len(rates[name]))
		for i, r := range rates[name] {
			runs[i] = comma(r)
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", name, comma(median(rates[name], func(f float64) float64 { return f })), strings.Join(runs, ", "))
	}
	fmt.Fprintf(&b, "\nThis revision / %s: %.0f%% (target: within %.0f%%: %s).\n", cfg.against, 100*now/then, 100*twinKeyStoreGap, verdict)
	return b.String(), nil
}

// fsWorkflow runs the workflow for twinRunTime and answers the cycles done.
func fsWorkflow(ctx context.Context, base, tok string, round int) (float64, error) {
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: twinWorkers}}
	parent := fmt.Sprintf("bench-%d", round)
	if _, err := send(ctx, hc, base, tok, "POST", "/v1/files/%2F/entries/", fmt.Sprintf(`{"name":%q,"action":"CREATE_DIRECTORY"}`, parent)); err != nil {
		return 0, err
	}
	var done atomic.Int64
	var firstErr error
	var once sync.Once
	deadline := time.Now().Add(twinRunTime)
	var wg sync.WaitGroup
	for w := range twinWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline) && ctx.Err() == nil; i++ {
				name := fmt.Sprintf("w%d-%d", w, i)
				path := url.PathEscape("/" + parent + "/" + name)
				steps := []struct{ method, path, body string }{
					{"POST", "/v1/files/" + url.PathEscape("/"+parent) + "/entries/", fmt.Sprintf(`{"name":%q,"action":"CREATE_DIRECTORY"}`, name)},
					{"GET", "/v1/files/" + path + "/info/attributes", ""},
					{"GET", "/v1/files/" + url.PathEscape("/"+parent) + "/entries/?limit=100", ""},
					{"DELETE", "/v1/files/" + path, ""},
				}
				for _, s := range steps {
					if _, err := send(ctx, hc, base, tok, s.method, s.path, s.body); err != nil {
						once.Do(func() { firstErr = err })
						return
					}
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	return float64(done.Load()), firstErr
}

// send makes one request and fails on any answer but a 2xx.
func send(ctx context.Context, hc *http.Client, base, tok, method, path, body string) ([]byte, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode/100 != 2 {
		err = fmt.Errorf("%s %s: status %d: %s", method, path, resp.StatusCode, data)
	}
	return data, err
}

// twinMemory starts the twin as a process and reads its VmRSS after start
// and after twinEntries files were created.
func twinMemory(ctx context.Context, bin, spec string) (before, after float64, took time.Duration, err error) {
	base, pid, stop, err := startMock(ctx, bin, "--spec", spec)
	if err != nil {
		return 0, 0, 0, err
	}
	defer stop()
	if before, err = vmRSS(pid); err != nil {
		return 0, 0, 0, err
	}
	tok, err := login(ctx, base)
	if err != nil {
		return 0, 0, 0, err
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: twinWorkers}}
	dirs := twinEntries / twinPerDir
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, twinWorkers)
	for w := range twinWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := w; d < dirs; d += twinWorkers {
				name := fmt.Sprintf("d%03d", d)
				if _, err := send(ctx, hc, base, tok, "POST", "/v1/files/%2F/entries/", fmt.Sprintf(`{"name":%q,"action":"CREATE_DIRECTORY"}`, name)); err != nil {
					errs <- err
					return
				}
				for f := range twinPerDir {
					if _, err := send(ctx, hc, base, tok, "POST", "/v1/files/"+url.PathEscape("/"+name)+"/entries/", fmt.Sprintf(`{"name":"f%04d","action":"CREATE_FILE"}`, f)); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	took = time.Since(start)
	close(errs)
	if err := <-errs; err != nil {
		return 0, 0, 0, err
	}
	after, err = vmRSS(pid)
	return before, after, took, err
}

// keyStoreRate starts `bin mock args...` and loads the key store.
func keyStoreRate(ctx context.Context, bin, wrk string, args ...string) (float64, error) {
	base, _, stop, err := startMock(ctx, bin, args...)
	if err != nil {
		return 0, err
	}
	defer stop()
	tok, err := login(ctx, base)
	if err != nil {
		return 0, err
	}
	return runWrk(ctx, wrk, base+mockPath, "Bearer "+tok)
}

// startMock runs `bin mock` on an ephemeral loopback port and answers its
// URL and process id once it serves.
func startMock(ctx context.Context, bin string, args ...string) (string, int, func(), error) {
	cmd := exec.CommandContext(ctx, bin, append([]string{"mock", "--addr", "127.0.0.1:0"}, args...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return "", 0, nil, err
	}
	stop, err := startProcessGroup(cmd)
	if err != nil {
		return "", 0, nil, err
	}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := servingRE.FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
			}
		}
	}()
	select {
	case u := <-urls:
		return u, cmd.Process.Pid, stop, nil
	case <-time.After(time.Minute):
		stop()
		return "", 0, nil, errors.New("qapi mock did not start")
	}
}

// buildQapi builds the qapi command of the module at dir.
func buildQapi(ctx context.Context, cfg config, dir, out string) error {
	build := exec.CommandContext(ctx, cfg.goTool, "build", "-o", out, "./cmd/qapi")
	build.Dir = dir
	if data, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("build qapi in %s: %w: %s", dir, err, strings.TrimSpace(string(data)))
	}
	return nil
}

// buildRevision builds the qapi command of a git revision of the repository.
func buildRevision(ctx context.Context, cfg config, rev, tmp, out string) error {
	src := filepath.Join(tmp, "src-"+rev)
	archive := exec.CommandContext(ctx, "sh", "-c", `git -C "$1" archive "$2" | tar -x -C "$3"`, "sh", cfg.root, rev, src)
	if err := os.MkdirAll(src, 0o755); err != nil {
		return err
	}
	if data, err := archive.CombinedOutput(); err != nil {
		return fmt.Errorf("git archive %s: %w: %s", rev, err, strings.TrimSpace(string(data)))
	}
	return buildQapi(ctx, cfg, src, out)
}
