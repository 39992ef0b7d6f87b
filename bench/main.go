// Command bench measures qapi and writes the results as one Markdown file
// (make bench: go run ./bench -corpus ../shared/corpus -o bench/RESULTS.md).
//
// The harness is a list of sections. Each file of this package adds its own
// in an init function with register; the harness runs them in the order they
// were registered (files in name order) and writes a header with the machine
// it ran on followed by each section's Markdown. Ratios are measured side by
// side in one run, never compared with numbers from another machine.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/qapitools/qapi/internal/fileio"
)

// config is what every section gets.
type config struct {
	// corpus is the folder holding the corpus revisions (../shared/corpus);
	// it may be absent, and sections that need it say so in their output.
	corpus string
	// root is the repository root: api.yaml, gen/cfg.yaml, go.mod and go.sum.
	root string
	// reps is how many times each measurement is repeated.
	reps int
	// goTool is the go command used to build generated code.
	goTool string
	// log receives progress lines; the results go to the Markdown file only.
	log io.Writer
	// against is a git revision whose build sections compare with this one.
	against string
}

// section is one part of the results file.
type section struct {
	name string
	// run returns the section's Markdown body, without its heading.
	run func(ctx context.Context, cfg config) (string, error)
}

var sections []section

// register adds a section; call it from an init function.
func register(s section) {
	for _, have := range sections {
		if have.name == s.name {
			panic("bench: section " + s.name + " registered twice")
		}
	}
	sections = append(sections, s)
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stderr))
}

func run(ctx context.Context, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := config{log: stderr}
	var out, only string
	fs.StringVar(&cfg.corpus, "corpus", "../shared/corpus", "`DIR` holding the corpus revisions")
	fs.StringVar(&cfg.root, "root", ".", "repository root `DIR`")
	fs.IntVar(&cfg.reps, "reps", 5, "repetitions of each measurement")
	fs.StringVar(&out, "o", "bench/RESULTS.md", "Markdown `FILE` to write; - for standard output")
	fs.StringVar(&only, "run", "", "run only the sections whose name matches this `REGEXP`")
	fs.StringVar(&cfg.against, "against", "", "git `REV` whose build the twin section's key-store rate is compared with")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 || cfg.reps < 1 {
		fmt.Fprintln(stderr, "bench: unexpected arguments; see -help")
		return 2
	}
	var match *regexp.Regexp
	if only != "" {
		var err error
		if match, err = regexp.Compile(only); err != nil {
			fmt.Fprintf(stderr, "bench: -run: %v\n", err)
			return 2
		}
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		fmt.Fprintf(stderr, "bench: the go command is not on PATH: %v\n", err)
		return 2
	}
	cfg.goTool = goTool

	var doc strings.Builder
	doc.WriteString(header(ctx, cfg))
	failed := 0
	for _, s := range sections {
		if match != nil && !match.MatchString(s.name) {
			continue
		}
		fmt.Fprintf(stderr, "bench: %s…\n", s.name)
		start := time.Now()
		body, err := s.run(ctx, cfg)
		fmt.Fprintf(&doc, "\n## %s\n\n", s.name)
		if err != nil {
			failed++
			fmt.Fprintf(stderr, "bench: %s: %v\n", s.name, err)
			fmt.Fprintf(&doc, "**This section failed:** %v\n", err)
			if body != "" {
				doc.WriteString("\n" + body)
			}
			continue
		}
		doc.WriteString(body)
		fmt.Fprintf(stderr, "bench: %s done in %s\n", s.name, time.Since(start).Round(time.Millisecond))
	}
	fmt.Fprintf(&doc, "\nLoad average at the end: %s. The machine may be shared; a load above the CPU count means other work competed with these measurements.\n", loadAverage())
	if out == "-" {
		fmt.Print(doc.String())
	} else if err := fileio.WriteAtomic(out, []byte(doc.String())); err != nil {
		fmt.Fprintf(stderr, "bench: %v\n", err)
		return 1
	} else {
		fmt.Fprintf(stderr, "bench: wrote %s\n", out)
	}
	if failed > 0 {
		return 1
	}
	return 0
}

func header(ctx context.Context, cfg config) string {
	var b strings.Builder
	b.WriteString("# qapi benchmark results\n\n")
	b.WriteString("Written by `make bench` (`go run ./bench`); numbers are from one run on one machine, so compare ratios, not absolute times.\n\n")
	goVersion := runtime.Version()
	if out, err := exec.CommandContext(ctx, cfg.goTool, "version").Output(); err == nil {
		goVersion = strings.TrimSpace(string(out))
	}
	host, _ := os.Hostname()
	fmt.Fprintf(&b, "| | |\n|---|---|\n")
	fmt.Fprintf(&b, "| date | %s |\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "| `go version` | %s |\n", goVersion)
	fmt.Fprintf(&b, "| CPUs | %d (GOMAXPROCS %d) |\n", runtime.NumCPU(), runtime.GOMAXPROCS(0))
	fmt.Fprintf(&b, "| machine | %s, %s/%s, host %s |\n", cpuModel(), runtime.GOOS, runtime.GOARCH, host)
	fmt.Fprintf(&b, "| repetitions | %d |\n", cfg.reps)
	fmt.Fprintf(&b, "| load average at start | %s |\n", loadAverage())
	return b.String()
}

// cpuModel reads the processor name on Linux; elsewhere it says unknown.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// loadAverage is the 1, 5 and 15 minute load average on Linux.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
