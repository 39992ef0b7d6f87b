package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/qapitools/qapi/convert"
	"github.com/qapitools/qapi/internal/apidiff"
)

// diffRevision is the corpus revision the contract is compared with.
const diffRevision = "qumulo-rest-api-guide-2024-07-18"

// diffTarget is the most the cluster rules may cost over the raw diff.
const diffTarget = 2.0

func init() {
	register(section{name: "API diff", run: runAPIDiff})
}

func runAPIDiff(ctx context.Context, cfg config) (string, error) {
	dir := filepath.Join(cfg.corpus, diffRevision)
	if _, err := os.Stat(dir); err != nil {
		return fmt.Sprintf("Skipped: corpus revision %s is absent (%v).\n", diffRevision, err), nil
	}
	oldData, err := os.ReadFile(filepath.Join(cfg.root, "api.yaml"))
	if err != nil {
		return "", err
	}
	built, err := convert.Build([]convert.Source{{Name: diffRevision, FS: os.DirFS(dir)}}, nil, convert.Options{})
	if err != nil {
		return "", err
	}
	newData := built.YAML
	// Compare changes the documents it normalises, so every call loads
	// both afresh; the load-only variant is that shared cost.
	load := func() (apidiff.Side, apidiff.Side, error) {
		o, err := openapi3.NewLoader().LoadFromData(oldData)
		if err != nil {
			return apidiff.Side{}, apidiff.Side{}, err
		}
		n, err := openapi3.NewLoader().LoadFromData(newData)
		return apidiff.Side{Name: "api.yaml", Doc: o}, apidiff.Side{Name: diffRevision, Doc: n}, err
	}
	compare := func(raw bool) func() error {
		return func() error {
			o, n, err := load()
			if err != nil {
				return err
			}
			_, err = apidiff.Compare(o, n, apidiff.Options{Raw: raw})
			return err
		}
	}
	variants := []variant{
		{"load", "parse api.yaml and the converted revision with kin-openapi (the floor every variant pays)", func() error { _, _, err := load(); return err }},
		{"raw", "load, then oasdiff: the diff and every check down to information, as the documents are (`qapi diff --raw`)", compare(true)},
		{"normalised", "load, the cluster rules on both documents, then the same oasdiff run (`qapi diff`)", compare(false)},
	}
	samples := make([][]sample, len(variants))
	iters := make([]int, len(variants))
	for i := range variants {
		iters[i] = 3
	}
	for r := 0; r < cfg.reps; r++ {
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
	ns := func(s sample) float64 { return s.nsPerOp }
	var b strings.Builder
	fmt.Fprintf(&b, "The whole contract (`api.yaml`) against corpus revision `%s` converted without overlays, side by side: each repetition times every variant once, interleaved, %d calls a batch after a GC; %d repetitions; medians (min–max).\n\n", diffRevision, iters[0], cfg.reps)
	b.WriteString("| variant | ms/op (median) | [min – max] | ms/op without load | CPU ms/op (median) | CPU ms/op without load | allocs/op |\n|---|---:|---:|---:|---:|---:|---:|\n")
	cpuNs := func(s sample) float64 { return s.cpuNsPerOp }
	loadMed, loadCPU := median(samples[0], ns), median(samples[0], cpuNs)
	meds := make([]float64, len(variants))
	cpus := make([]float64, len(variants))
	for i, v := range variants {
		meds[i], cpus[i] = median(samples[i], ns), median(samples[i], cpuNs)
		lo, hi := minMax(samples[i], ns)
		fmt.Fprintf(&b, "| %s | %.1f | [%.1f – %.1f] | %.1f | %.1f | %.1f | %s |\n", v.name, meds[i]/1e6, lo/1e6, hi/1e6, (meds[i]-loadMed)/1e6,
			cpus[i]/1e6, (cpus[i]-loadCPU)/1e6, comma(median(samples[i], func(s sample) float64 { return s.allocsPerOp })))
	}
	b.WriteString("\n")
	for _, v := range variants {
		fmt.Fprintf(&b, "- **%s**: %s.\n", v.name, v.what)
	}
	ratio := meds[2] / meds[1]
	verdict := "**met**"
	if ratio > diffTarget {
		verdict = "**not met**"
	}
	fmt.Fprintf(&b, "\nTarget: the normalised diff costs at most %.0f× the raw one (wall time, load included): %s (%.2f×; without the load %.2f×). In CPU time: %.2f×, without the load %.2f×; CPU time is what other work on a shared machine disturbs least.\n",
		diffTarget, verdict, ratio, (meds[2]-loadMed)/(meds[1]-loadMed), cpus[2]/cpus[1], (cpus[2]-loadCPU)/(cpus[1]-loadCPU))

	table, err := kindTable(load)
	if err != nil {
		return "", err
	}
	b.WriteString("\nChanges by kind, raw against normalised, on the same pair (`B` breaking):\n\n" + table)
	return b.String(), nil
}

// kindTable counts the changes of one pair by kind, raw and normalised.
func kindTable(load func() (apidiff.Side, apidiff.Side, error)) (string, error) {
	counts := map[string][2]int{}
	var breaking [2]int
	for i, raw := range []bool{true, false} {
		o, n, err := load()
		if err != nil {
			return "", err
		}
		r, err := apidiff.Compare(o, n, apidiff.Options{Raw: raw})
		if err != nil {
			return "", err
		}
		for _, c := range r.Changes {
			key := c.Kind
			if c.Breaking {
				key = "B " + key
			}
			v := counts[key]
			v[i]++
			counts[key] = v
		}
		breaking[i] = r.Breaking()
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return counts[b][0] - counts[a][0] })
	var b strings.Builder
	b.WriteString("| kind | raw | normalised |\n|---|---:|---:|\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "| %s | %d | %d |\n", k, counts[k][0], counts[k][1])
	}
	fmt.Fprintf(&b, "| **breaking, all kinds** | %d | %d |\n", breaking[0], breaking[1])
	return b.String(), nil
}
