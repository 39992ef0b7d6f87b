package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/qapitools/qapi/har"
	"github.com/qapitools/qapi/mock"
	"github.com/qapitools/qapi/proxy"
)

// The proxy section measures what the validating proxy costs: GET
// /v2/encryption/key-store with wrk on loopback, straight to the mock,
// through the proxy, and through the proxy while it records a HAR file.
const proxyWrkDuration = "3s"

func init() {
	register(section{name: "Proxy overhead", run: runProxyBench})
}

type latencyRun struct {
	rps, p50, p99 float64 // requests/s, milliseconds
}

type proxyTarget struct {
	name   string
	url    string
	header string
	runs   []latencyRun
	err    error
}

func runProxyBench(ctx context.Context, cfg config) (string, error) {
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		return "Skipped: `wrk` is not installed (apt-get install -y wrk).\n", nil
	}
	seedDoc, err := seedSpec()
	if err != nil {
		return "", err
	}
	direct, err := startMockTarget(ctx, "qapi mock", seedLabel(), mock.WithSpec(seedDoc))
	if err != nil {
		return "", err
	}
	defer direct.stop()
	upstream, _ := url.Parse(strings.TrimSuffix(direct.target.url, mockPath))
	tmp, err := os.MkdirTemp("", "qapi-bench-proxy-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)

	startProxy := func(record string) (string, func(), error) {
		pc := proxy.Config{Upstream: upstream, Spec: seedDoc, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))}
		var rec *har.Writer
		if record != "" {
			if rec, err = har.Create(record, "bench"); err != nil {
				return "", nil, err
			}
			pc.Recorder = rec
		}
		p, err := proxy.New(pc)
		if err != nil {
			return "", nil, err
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "", nil, err
		}
		srv := &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		return "http://" + ln.Addr().String(), func() {
			_ = srv.Close()
			if rec != nil {
				_ = rec.Close()
			}
		}, nil
	}
	plainURL, stopPlain, err := startProxy("")
	if err != nil {
		return "", err
	}
	defer stopPlain()
	harPath := filepath.Join(tmp, "bench.har")
	recURL, stopRec, err := startProxy(harPath)
	if err != nil {
		return "", err
	}
	defer stopRec()

	// A bare reverse proxy separates what any extra hop costs on this
	// machine from what the checks cost.
	bareLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	bareProxy := httputil.NewSingleHostReverseProxy(upstream)
	bareTransport := http.DefaultTransport.(*http.Transport).Clone()
	bareTransport.MaxIdleConnsPerHost = 256 // as proxy.Transport keeps
	bareProxy.Transport = bareTransport
	// wrk drops its connections mid-request when it stops; the bare proxy
	// would log each as an error, and wrk counts any real failure itself.
	bareProxy.ErrorLog = log.New(io.Discard, "", 0)
	bare := &http.Server{Handler: bareProxy, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = bare.Serve(bareLn) }()
	defer bare.Close()

	targets := []*proxyTarget{
		{name: "straight to the mock", url: direct.target.url, header: direct.target.header},
		{name: "bare httputil.ReverseProxy (no checks)", url: "http://" + bareLn.Addr().String() + mockPath, header: direct.target.header},
		{name: "through qapi proxy", url: plainURL + mockPath, header: direct.target.header},
		{name: "through qapi proxy --record", url: recURL + mockPath, header: direct.target.header},
	}
	rounds := min(cfg.reps, 3)
	for r := range rounds {
		for k := range targets {
			t := targets[(k+r)%len(targets)]
			if t.err != nil {
				continue
			}
			fmt.Fprintf(cfg.log, "bench: wrk %s (round %d/%d)\n", t.name, r+1, rounds)
			run, err := runWrkLatency(ctx, wrk, t.url, t.header)
			if err != nil {
				t.err = err
				continue
			}
			t.runs = append(t.runs, run)
		}
	}
	stopRec()
	harSize := int64(0)
	if st, err := os.Stat(harPath); err == nil {
		harSize = st.Size()
	}

	var b strings.Builder
	fmt.Fprintf(&b, "`GET %s` with `wrk --latency -t2 -c32 -d%s` on 127.0.0.1, %d interleaved rounds, medians over rounds. ", mockPath, proxyWrkDuration, rounds)
	b.WriteString("The mock (validation on, the seed's key store cut from api.yaml, plain HTTP) and the proxies run in the bench process; the proxy checks every request and response against the same spec. ")
	b.WriteString("Every answer counted is a 2xx.\n\n")
	b.WriteString("| path | req/s | p50 latency | p99 latency | req/s per round |\n|---|---:|---:|---:|---|\n")
	med := map[*proxyTarget]latencyRun{}
	for _, t := range targets {
		if t.err != nil {
			fmt.Fprintf(&b, "| %s | failed: %s | | | |\n", t.name, strings.ReplaceAll(t.err.Error(), "|", "/"))
			continue
		}
		m := latencyRun{
			rps: median(t.runs, func(r latencyRun) float64 { return r.rps }),
			p50: median(t.runs, func(r latencyRun) float64 { return r.p50 }),
			p99: median(t.runs, func(r latencyRun) float64 { return r.p99 }),
		}
		med[t] = m
		per := make([]string, len(t.runs))
		for i, r := range t.runs {
			per[i] = comma(r.rps)
		}
		fmt.Fprintf(&b, "| %s | %s | %.2f ms | %.2f ms | %s |\n", t.name, comma(m.rps), m.p50, m.p99, strings.Join(per, ", "))
	}
	b.WriteString("\n| ratio | value |\n|---|---:|\n")
	ratio := func(name string, a, c *proxyTarget) {
		if med[a].rps == 0 || med[c].rps == 0 {
			fmt.Fprintf(&b, "| %s | n/a |\n", name)
			return
		}
		fmt.Fprintf(&b, "| %s | %.0f%% |\n", name, med[a].rps/med[c].rps*100)
	}
	ratio("bare reverse proxy / straight (req/s)", targets[1], targets[0])
	ratio("qapi proxy / straight (req/s)", targets[2], targets[0])
	ratio("qapi proxy / bare reverse proxy (req/s): the checks' cost", targets[2], targets[1])
	ratio("qapi proxy --record / qapi proxy (req/s): the recording's cost", targets[3], targets[2])
	if med[targets[0]].p50 > 0 && med[targets[2]].p50 > 0 {
		fmt.Fprintf(&b, "\nLatency added at the median, over going straight: %.2f ms by a bare reverse proxy, %.2f ms by qapi proxy, %.2f ms with --record. ",
			med[targets[1]].p50-med[targets[0]].p50, med[targets[2]].p50-med[targets[0]].p50, med[targets[3]].p50-med[targets[0]].p50)
	}
	fmt.Fprintf(&b, "The recording grew to %.1f MiB over the runs.\n", float64(harSize)/(1<<20))
	return b.String(), nil
}

var latencyRE = regexp.MustCompile(`(?m)^\s+(50|99)%\s+([0-9.]+)(us|ms|s)\s*$`)

// runWrkLatency loads url and returns requests/s and the p50 and p99
// latencies in milliseconds.
func runWrkLatency(ctx context.Context, wrk, url, auth string) (latencyRun, error) {
	args := []string{"--latency", "-t2", "-c32", "-d" + proxyWrkDuration}
	if auth != "" {
		args = append(args, "-H", "Authorization: "+auth)
	}
	out, err := exec.CommandContext(ctx, wrk, append(args, url)...).CombinedOutput()
	if err != nil {
		return latencyRun{}, fmt.Errorf("wrk: %w: %s", err, bytes.TrimSpace(out))
	}
	if m := non2xxRE.FindSubmatch(out); m != nil {
		return latencyRun{}, fmt.Errorf("wrk: %s answers were not 2xx", m[1])
	}
	if m := sockRE.Find(out); m != nil {
		return latencyRun{}, fmt.Errorf("wrk: %s", m)
	}
	m := rpsRE.FindSubmatch(out)
	if m == nil {
		return latencyRun{}, fmt.Errorf("wrk: no Requests/sec in %q", out)
	}
	var run latencyRun
	run.rps, _ = strconv.ParseFloat(string(m[1]), 64)
	for _, l := range latencyRE.FindAllSubmatch(out, -1) {
		v, _ := strconv.ParseFloat(string(l[2]), 64)
		switch string(l[3]) {
		case "us":
			v /= 1000
		case "s":
			v *= 1000
		}
		if string(l[1]) == "50" {
			run.p50 = v
		} else {
			run.p99 = v
		}
	}
	if run.p50 == 0 || run.p99 == 0 {
		return latencyRun{}, errors.New("wrk: no latency distribution in its output")
	}
	return run, nil
}
