package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/qapitools/qapi/convert"
	"github.com/qapitools/qapi/mock"
)

// The mock section measures GET /v2/encryption/key-store with wrk on
// loopback: the mock against a bare net/http handler, the mock with the
// whole corpus spec against the seed's key store (seedSpec), and the mock
// against Prism.
const (
	mockRevision    = "qumulo-rest-api-guide-2024-10-16"
	mockPath        = "/v2/encryption/key-store"
	mockWrkDuration = "5s"
	// mockVsBareTarget and wholeVsSeedTarget are the targets.
	mockVsBareTarget  = 0.40
	wholeVsSeedTarget = 0.80
	// prismStartTimeout bounds how long Prism may take to load a spec.
	prismStartTimeout = 3 * time.Minute
)

// bareBody is what the bare handler answers: the mock's answer for a new
// key store, byte for byte.
var bareBody = []byte(`{"local_store":{"status":"Encrypted"},"type":"Local"}` + "\n")

func init() {
	register(section{name: "Mock server", run: runMock})
}

// target is one server under load.
type target struct {
	name, spec string
	url        string
	header     string // Authorization header value
	rps        []float64
	err        error
}

func runMock(ctx context.Context, cfg config) (string, error) {
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		return "Skipped: `wrk` is not installed (apt-get install -y wrk).\n", nil
	}
	var targets []*target
	var cleanup []func()
	defer func() {
		for i := len(cleanup) - 1; i >= 0; i-- {
			cleanup[i]()
		}
	}()

	// A bare net/http handler: the ceiling any Go server on this machine
	// can reach with this client.
	bareURL, stopBare, err := serveBare()
	if err != nil {
		return "", err
	}
	cleanup = append(cleanup, stopBare)
	targets = append(targets, &target{name: "bare net/http, fixed JSON body", spec: "-", url: bareURL + mockPath})

	seedDoc, err := seedSpec()
	if err != nil {
		return "", err
	}
	seed, err := startMockTarget(ctx, "qapi mock (validation on)", seedLabel(), mock.WithSpec(seedDoc))
	if err != nil {
		return "", err
	}
	cleanup = append(cleanup, seed.stop)
	targets = append(targets, seed.target)

	var whole *builtSpec
	wholeDir := filepath.Join(cfg.corpus, mockRevision)
	if _, err := os.Stat(wholeDir); err == nil {
		built, err := convert.Build([]convert.Source{{Name: mockRevision, FS: os.DirFS(wholeDir)}}, nil, convert.Options{})
		if err != nil {
			return "", fmt.Errorf("convert %s: %w", mockRevision, err)
		}
		whole = &builtSpec{built: built}
		mt, err := startMockTarget(ctx, "qapi mock (validation on)", fmt.Sprintf("whole %s (%d ops)", mockRevision, built.Operations), mock.WithSpec(built.Doc))
		if err != nil {
			return "", err
		}
		cleanup = append(cleanup, mt.stop)
		targets = append(targets, mt.target)
	}

	tmp, err := os.MkdirTemp("", "qapi-bench-mock-")
	if err != nil {
		return "", err
	}
	cleanup = append(cleanup, func() { os.RemoveAll(tmp) })
	seedFile, err := writeSeedSpec(tmp)
	if err != nil {
		return "", err
	}
	specs := []struct{ label, file string }{{seedLabel(), seedFile}}
	if whole != nil {
		f := filepath.Join(tmp, "whole.yaml")
		if err := os.WriteFile(f, whole.built.YAML, 0o600); err != nil {
			return "", err
		}
		whole.file = f
		specs = append(specs, struct{ label, file string }{fmt.Sprintf("whole %s (%d ops)", mockRevision, whole.built.Operations), f})
	}
	var prismNote string
	if _, err := os.Stat(filepath.Join(cfg.root, "node_modules", ".bin", "prism")); err != nil {
		prismNote = "Prism is not installed (run `npm ci` at the repository root); its rows are missing.\n"
	} else {
		for _, s := range specs {
			fmt.Fprintf(cfg.log, "bench: starting Prism on %s…\n", s.label)
			url, stop, err := startPrism(ctx, cfg.root, s.file)
			if err != nil {
				targets = append(targets, &target{name: "Prism 5.16 mock", spec: s.label, err: err})
				continue
			}
			cleanup = append(cleanup, stop)
			targets = append(targets, &target{name: "Prism 5.16 mock", spec: s.label, url: url + mockPath, header: "Bearer session-v1:bench"})
		}
	}

	// Interleave the targets, rotating who goes first, so drift spreads
	// over all alike; wrk and the servers share the machine, as they would
	// in CI.
	rounds := min(cfg.reps, 3)
	for r := range rounds {
		for k := range targets {
			t := targets[(k+r)%len(targets)]
			if t.err != nil || t.url == "" {
				continue
			}
			fmt.Fprintf(cfg.log, "bench: wrk %s, %s (round %d/%d)\n", t.name, t.spec, r+1, rounds)
			rps, err := runWrk(ctx, wrk, t.url, t.header)
			if err != nil {
				t.err = err
				continue
			}
			t.rps = append(t.rps, rps)
		}
	}

	var b strings.Builder
	fmt.Fprintf(&b, "`GET %s` with `wrk -t2 -c32 -d%s` on 127.0.0.1, %d interleaved rounds, median requests per second. ", mockPath, mockWrkDuration, rounds)
	b.WriteString("The Go servers run in the bench process; Prism runs as `npx prism mock -v silent`. Every answer counted is a 2xx: a run with any other status fails its row.\n\n")
	b.WriteString("| server | spec | req/s (median) | runs |\n|---|---|---:|---|\n")
	med := map[*target]float64{}
	for _, t := range targets {
		if t.err != nil {
			fmt.Fprintf(&b, "| %s | %s | failed: %s | |\n", t.name, t.spec, strings.ReplaceAll(t.err.Error(), "|", "/"))
			continue
		}
		m := median(t.rps, func(f float64) float64 { return f })
		med[t] = m
		runs := make([]string, len(t.rps))
		for i, r := range t.rps {
			runs[i] = comma(r)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", t.name, t.spec, comma(m), strings.Join(runs, ", "))
	}
	b.WriteString(prismNote)
	b.WriteString("\n| ratio | value | target |\n|---|---:|---|\n")
	ratio := func(name string, a, c *target, goal float64) {
		if a == nil || c == nil || med[a] == 0 || med[c] == 0 {
			fmt.Fprintf(&b, "| %s | n/a | |\n", name)
			return
		}
		v := med[a] / med[c]
		verdict := ""
		if goal > 0 {
			verdict = fmt.Sprintf("≥ %.0f%%: ", goal*100)
			if v >= goal {
				verdict += "met"
			} else {
				verdict += "**missed**"
			}
		}
		shown := fmt.Sprintf("%.0f%%", v*100)
		if v >= 2 {
			shown = fmt.Sprintf("%.1f×", v)
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", name, shown, verdict)
	}
	find := func(name, specPrefix string) *target {
		for _, t := range targets {
			if strings.HasPrefix(t.name, name) && strings.HasPrefix(t.spec, specPrefix) {
				return t
			}
		}
		return nil
	}
	ratio("mock (seed spec, validation on) / bare net/http", find("qapi mock", "seed"), find("bare", ""), mockVsBareTarget)
	ratio("mock whole spec / mock seed spec", find("qapi mock", "whole"), find("qapi mock", "seed"), wholeVsSeedTarget)
	ratio("mock / Prism, seed spec", find("qapi mock", "seed"), find("Prism", "seed"), 0)
	ratio("mock / Prism, whole spec", find("qapi mock", "whole"), find("Prism", "whole"), 0)

	// Resident memory: the mock as its own process, so the figure is the
	// mock's and not the bench's.
	b.WriteString("\nResident memory (VmRSS) of `qapi mock` as its own process, after start and after a wrk run:\n\n| spec | after start | after load |\n|---|---:|---:|\n")
	bin := filepath.Join(tmp, "qapi")
	if err := buildQapi(ctx, cfg, cfg.root, bin); err != nil {
		fmt.Fprintf(&b, "| %v | | |\n", err)
		return b.String(), nil
	}
	for _, s := range specs {
		start, loaded, err := mockRSS(ctx, bin, wrk, s.file)
		if err != nil {
			fmt.Fprintf(&b, "| %s | failed: %v | |\n", s.label, err)
			continue
		}
		fmt.Fprintf(&b, "| %s | %.1f MiB | %.1f MiB |\n", s.label, start, loaded)
	}
	return b.String(), nil
}

type builtSpec struct {
	built *convert.Built
	file  string
}

// serveBare serves bareBody from a plain net/http handler.
func serveBare() (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(bareBody)
	}), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

type mockTarget struct {
	target *target
	stop   func()
}

// startMockTarget starts an in-process mock and logs in to it.
func startMockTarget(ctx context.Context, name, spec string, opts ...mock.Option) (*mockTarget, error) {
	srv, err := mock.Start(opts...)
	if err != nil {
		return nil, err
	}
	tok, err := login(ctx, srv.URL)
	if err != nil {
		_ = srv.Close()
		return nil, err
	}
	return &mockTarget{target: &target{name: name, spec: spec, url: srv.URL + mockPath, header: "Bearer " + tok}, stop: func() { _ = srv.Close() }}, nil
}

func login(ctx context.Context, base string) (string, error) {
	body := fmt.Sprintf(`{"username":%q,"password":%q}`, mock.DefaultUser, mock.DefaultPassword)
	req, err := http.NewRequestWithContext(ctx, "POST", base+"/v1/session/login", strings.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("login: %w", err)
	}
	defer resp.Body.Close()
	var creds struct {
		BearerToken string `json:"bearer_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&creds); err != nil || creds.BearerToken == "" {
		return "", fmt.Errorf("login: status %d, %v", resp.StatusCode, err)
	}
	return creds.BearerToken, nil
}

var (
	rpsRE    = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	non2xxRE = regexp.MustCompile(`Non-2xx or 3xx responses:\s+(\d+)`)
	sockRE   = regexp.MustCompile(`Socket errors:.*`)
)

// runWrk loads url for mockWrkDuration and returns requests per second.
func runWrk(ctx context.Context, wrk, url, auth string) (float64, error) {
	args := []string{"-t2", "-c32", "-d" + mockWrkDuration}
	if auth != "" {
		args = append(args, "-H", "Authorization: "+auth)
	}
	out, err := exec.CommandContext(ctx, wrk, append(args, url)...).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("wrk: %w: %s", err, bytes.TrimSpace(out))
	}
	if m := non2xxRE.FindSubmatch(out); m != nil {
		return 0, fmt.Errorf("wrk: %s answers were not 2xx", m[1])
	}
	if m := sockRE.Find(out); m != nil {
		return 0, fmt.Errorf("wrk: %s", m)
	}
	m := rpsRE.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("wrk: no Requests/sec in %q", out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}

// freePort asks the kernel for a free loopback port for a subprocess.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// startProcessGroup starts cmd in its own process group so that stopping
// it also stops the children it spawns (npx runs node).
func startProcessGroup(cmd *exec.Cmd) (func(), error) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	pgid := cmd.Process.Pid
	return func() {
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			<-done
		}
	}, nil
}

// startPrism runs Prism's mock on spec and waits until it answers.
func startPrism(ctx context.Context, root, spec string) (string, func(), error) {
	port, err := freePort()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command("npx", "--no-install", "prism", "mock", "-v", "silent", "-h", "127.0.0.1", "-p", strconv.Itoa(port), spec)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	stop, err := startProcessGroup(cmd)
	if err != nil {
		return "", nil, fmt.Errorf("start prism: %w", err)
	}
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(prismStartTimeout)
	for time.Now().Before(deadline) {
		if ctx.Err() != nil {
			stop()
			return "", nil, ctx.Err()
		}
		req, _ := http.NewRequestWithContext(ctx, "GET", url+mockPath, nil)
		req.Header.Set("Authorization", "Bearer session-v1:bench")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode/100 != 2 {
				stop()
				return "", nil, fmt.Errorf("prism answers %d", resp.StatusCode)
			}
			return url, stop, nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	stop()
	return "", nil, fmt.Errorf("prism did not answer within %s: %s", prismStartTimeout, lastLine(stderr.String()))
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

var servingRE = regexp.MustCompile(`on (https?://[^;\s]+);`)

// mockRSS starts `qapi mock --spec file`, reads its VmRSS after start and
// after a wrk run, and stops it.
func mockRSS(ctx context.Context, bin, wrk, spec string) (start, loaded float64, err error) {
	url, pid, stop, err := startMock(ctx, bin, "--spec", spec)
	if err != nil {
		return 0, 0, err
	}
	defer stop()
	if start, err = vmRSS(pid); err != nil {
		return 0, 0, err
	}
	tok, err := login(ctx, url)
	if err != nil {
		return 0, 0, err
	}
	if _, err := runWrk(ctx, wrk, url+mockPath, "Bearer "+tok); err != nil {
		return 0, 0, err
	}
	loaded, err = vmRSS(pid)
	return start, loaded, err
}

// vmRSS reads a process's resident set size in MiB from /proc.
func vmRSS(pid int) (float64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(v)
			if len(f) == 0 {
				break
			}
			kb, err := strconv.ParseFloat(f[0], 64)
			return kb / 1024, err
		}
	}
	return 0, errors.New("no VmRSS in /proc status")
}
