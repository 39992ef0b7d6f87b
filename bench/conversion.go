package main

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/qapitools/qapi/convert"
)

// speedRevision is the corpus revision the conversion speed is measured on:
// 682 endpoint pages, most endpoints described twice.
const speedRevision = "qumulo-rest-api-guide-2024-07-18"

// speedTarget is the ratio to parse-only that conversion should stay under.
const speedTarget = 1.5

func init() {
	register(section{name: "Conversion speed", run: runSpeed})
}

type variant struct {
	name, what string
	fn         func() error
}

type sample struct {
	nsPerOp, cpuNsPerOp, allocsPerOp, bytesPerOp float64
}

func runSpeed(ctx context.Context, cfg config) (string, error) {
	dir := filepath.Join(cfg.corpus, speedRevision)
	if _, err := os.Stat(dir); err != nil {
		return fmt.Sprintf("Skipped: corpus revision %s is absent (%v).\n", speedRevision, err), nil
	}
	fsys := os.DirFS(dir)
	src := []convert.Source{{Name: speedRevision, FS: fsys}}
	variants := []variant{
		{"parse-only", "read every page and parse its YAML front matter into a yaml.Node, nothing else (the floor)", func() error {
			_, err := parseOnly(fsys)
			return err
		}},
		{"convert", "convert.Convert: pages to an *openapi3.T (what the target is about)", func() error {
			_, err := convert.Convert(src, convert.Options{})
			return err
		}},
		{"build", "convert.Build with no overlays: convert, validate with kin-openapi, render the YAML (all of `qapi convert` but the file write)", func() error {
			_, err := convert.Build(src, nil, convert.Options{})
			return err
		}},
	}
	pages, err := parseOnly(fsys)
	if err != nil {
		return "", err
	}
	// Calibrate: enough iterations that one timed batch lasts about 1s.
	iters := make([]int, len(variants))
	for i, v := range variants {
		start := time.Now()
		if err := v.fn(); err != nil {
			return "", fmt.Errorf("%s: %w", v.name, err)
		}
		d := time.Since(start)
		iters[i] = max(1, int(time.Second/max(d, time.Microsecond)))
	}
	samples := make([][]sample, len(variants))
	for r := 0; r < cfg.reps; r++ {
		// Interleave, and rotate who goes first, so drift (thermal, other
		// load) spreads over all variants alike.
		for k := range variants {
			i := (k + r) % len(variants)
			if err := ctx.Err(); err != nil {
				return "", err
			}
			s, err := measure(variants[i].fn, iters[i])
			if err != nil {
				return "", fmt.Errorf("%s: %w", variants[i].name, err)
			}
			samples[i] = append(samples[i], s)
		}
		fmt.Fprintf(cfg.log, "bench:   repetition %d/%d done\n", r+1, cfg.reps)
	}

	base := median(samples[0], func(s sample) float64 { return s.nsPerOp })
	var b strings.Builder
	fmt.Fprintf(&b, "Corpus revision `%s` (%d pages including index pages). Each repetition times every variant once, interleaved, in a batch of about 1 s after a GC; %d repetitions. ns/op is wall time, the median over repetitions (min–max in brackets); the ratio is median ns/op over the parse-only median, and in brackets the range of the per-repetition ratios. CPU ns/op is user+system CPU time of the process per operation (GC included): parse-only runs on one goroutine, so when the converter spreads work over cores its wall-time ratio is lower than its CPU-time ratio, and both are shown.\n\n", speedRevision, pages, cfg.reps)
	b.WriteString("| variant | iterations/batch | ns/op (median) | [min – max] | × parse-only | [per-rep range] | CPU ns/op (median) | CPU × parse-only | allocs/op | B/op |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	ns := func(s sample) float64 { return s.nsPerOp }
	cpuNs := func(s sample) float64 { return s.cpuNsPerOp }
	cpuBase := median(samples[0], cpuNs)
	ratios := make([]float64, len(variants))
	cpuRatios := make([]float64, len(variants))
	minRatios := make([]float64, len(variants))
	baseMin, _ := minMax(samples[0], ns)
	for i, v := range variants {
		med := median(samples[i], ns)
		lo, hi := minMax(samples[i], ns)
		ratios[i] = med / base
		minRatios[i] = lo / baseMin
		var perRep []float64
		for r := range samples[i] {
			perRep = append(perRep, samples[i][r].nsPerOp/samples[0][r].nsPerOp)
		}
		rlo, rhi := slices.Min(perRep), slices.Max(perRep)
		cpuMed, cpuCol, cpuRatioCol := median(samples[i], cpuNs), "n/a", "n/a"
		if cpuMed >= 0 && cpuBase > 0 {
			cpuRatios[i] = cpuMed / cpuBase
			cpuCol, cpuRatioCol = comma(cpuMed), fmt.Sprintf("%.2f", cpuRatios[i])
		}
		fmt.Fprintf(&b, "| %s | %d | %s | [%s – %s] | %.2f | [%.2f – %.2f] | %s | %s | %.0f | %.0f |\n",
			v.name, iters[i], comma(med), comma(lo), comma(hi), ratios[i], rlo, rhi, cpuCol, cpuRatioCol,
			median(samples[i], func(s sample) float64 { return s.allocsPerOp }),
			median(samples[i], func(s sample) float64 { return s.bytesPerOp }))
	}
	b.WriteString("\n")
	for _, v := range variants {
		fmt.Fprintf(&b, "- **%s**: %s.\n", v.name, v.what)
	}
	verdict := func(r float64) string {
		if r <= speedTarget {
			return fmt.Sprintf("**met** (%.2f× ≤ %.1f×)", r, speedTarget)
		}
		return fmt.Sprintf("**not met** (%.2f× > %.1f×)", r, speedTarget)
	}
	fmt.Fprintf(&b, "\nTarget: conversion at most %.1f× parse-only (wall time, GOMAXPROCS %d). convert.Convert: %s. convert.Build (the whole command): %s.", speedTarget, runtime.GOMAXPROCS(0), verdict(ratios[1]), verdict(ratios[2]))
	fmt.Fprintf(&b, " Best against best (min ns/op over min ns/op, the estimate least disturbed by other load): convert.Convert %.2f×, convert.Build %.2f×.", minRatios[1], minRatios[2])
	if cpuBase > 0 {
		fmt.Fprintf(&b, " In CPU time (medians): convert.Convert %.2f×, convert.Build %.2f×.", cpuRatios[1], cpuRatios[2])
	}
	b.WriteString("\n")
	b.WriteString("\nProfile with `go test -run '^$' -bench 'Convert$|Build$' -cpuprofile cpu.prof ./convert/` (convert/bench_test.go has the same three variants).\n")
	return b.String(), nil
}

// measure runs fn n times after a GC and returns the cost of one call.
func measure(fn func() error, n int) (sample, error) {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu0, cpuOK := cpuTime()
	start := time.Now()
	for i := 0; i < n; i++ {
		if err := fn(); err != nil {
			return sample{}, err
		}
	}
	d := time.Since(start)
	cpu1, _ := cpuTime()
	runtime.ReadMemStats(&after)
	cpu := -1.0 // unknown
	if cpuOK {
		cpu = float64((cpu1 - cpu0).Nanoseconds()) / float64(n)
	}
	return sample{
		nsPerOp:     float64(d.Nanoseconds()) / float64(n),
		cpuNsPerOp:  cpu,
		allocsPerOp: float64(after.Mallocs-before.Mallocs) / float64(n),
		bytesPerOp:  float64(after.TotalAlloc-before.TotalAlloc) / float64(n),
	}, nil
}

// parseOnly reads every page of fsys and parses its front matter, the floor
// under any conversion; it returns the number of pages.
func parseOnly(fsys fs.FS) (int, error) {
	n := 0
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(name, ".md") {
			return err
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
		rest, ok := bytes.CutPrefix(data, []byte("---\n"))
		end := bytes.Index(rest, []byte("\n---"))
		if !ok || end < 0 {
			return fmt.Errorf("%s: no front matter", name)
		}
		var root yaml.Node
		if err := yaml.Unmarshal(rest[:end+1], &root); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		n++
		return nil
	})
	return n, err
}

func median[T any](xs []T, f func(T) float64) float64 {
	v := make([]float64, len(xs))
	for i, x := range xs {
		v[i] = f(x)
	}
	slices.Sort(v)
	if len(v) == 0 {
		return 0
	}
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func minMax[T any](xs []T, f func(T) float64) (float64, float64) {
	lo, hi := f(xs[0]), f(xs[0])
	for _, x := range xs[1:] {
		lo, hi = min(lo, f(x)), max(hi, f(x))
	}
	return lo, hi
}

// comma renders a count with thousands separators: 63508172 → 63,508,172.
func comma(f float64) string {
	s := fmt.Sprintf("%.0f", f)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
