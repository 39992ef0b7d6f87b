package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	oapi "github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"

	"github.com/qapitools/qapi/internal/codegen"
)

func init() {
	register(section{name: "Go SDK: size and build cost", run: runSDK})
}

// One program per way of calling one operation (GET /v1/version) on a
// cluster, each the whole main package of a scratch module. A program with
// spec also links the spec embedded by oapi-codegen (package spec of the
// scratch module), as every program that used gen did while gen embedded
// it.
var sdkPrograms = []struct {
	name, note, src string
	spec            bool
}{
	{"net/http only", "http.Client, crypto/tls and encoding/json, no qapi package", `package main

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
)

func main() {
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12}}}
	resp, err := hc.Get(os.Args[1] + "/v1/version")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var v struct {
		RevisionID string ` + "`json:\"revision_id\"`" + `
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		panic(err)
	}
	fmt.Println(v.RevisionID)
}
`, false},
	{"gen (generated client)", "gen.NewClientWithResponses and GetVersionWithResponse, without package client", `package main

import (
	"context"
	"fmt"
	"os"

	"github.com/qapitools/qapi/gen"
)

func main() {
	c, err := gen.NewClientWithResponses(os.Args[1])
	if err != nil {
		panic(err)
	}
	r, err := c.GetVersionWithResponse(context.Background())
	if err != nil {
		panic(err)
	}
	fmt.Println(*r.JSON200.RevisionID)
}
`, false},
	{"client (the SDK)", "client.New and c.Version.Get: login, TLS, retries, typed errors", clientProgram, false},
	{"client, if gen embedded the spec", "the client program, also linking oapi-codegen's embedded spec of api.yaml (GetSwagger and kin-openapi), which gen held until the SDK split it off",
		strings.Replace(clientProgram, clientImport, clientImport+"\n\t_ \"example.com/onecall/spec\"\n", 1), true},
}

// clientProgram is the program that uses the SDK.
const clientProgram = `package main

import (
	"context"
	"fmt"
	"os"

	"github.com/qapitools/qapi/client"
)

func main() {
	c, err := client.New(os.Args[1])
	if err != nil {
		panic(err)
	}
	v, err := c.Version.Get(context.Background())
	if err != nil {
		panic(err)
	}
	fmt.Println(*v.RevisionID)
}
`

const clientImport = "\t\"github.com/qapitools/qapi/client\"\n"

// sdkBuild is one build of a program.
type sdkBuild struct {
	// cold and warmStd are wall times; coldCPU and warmCPU the CPU time
	// (user and system) of go build and the compilers it ran, which other
	// work on a shared machine disturbs far less.
	cold, warmStd, coldCPU, warmCPU time.Duration
	size                            int64
	packages                        int
}

func runSDK(ctx context.Context, cfg config) (string, error) {
	root, err := filepath.Abs(cfg.root)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	genLines, err := goLines(filepath.Join(root, "gen"), func(name string) bool { return strings.HasSuffix(name, ".gen.go") })
	if err != nil {
		return "", err
	}
	svcLines, err := goLines(filepath.Join(root, "client"), func(name string) bool { return strings.HasSuffix(name, ".gen.go") })
	if err != nil {
		return "", err
	}
	handLines, err := goLines(filepath.Join(root, "client"), func(name string) bool {
		return !strings.HasSuffix(name, ".gen.go") && !strings.HasSuffix(name, "_test.go")
	})
	if err != nil {
		return "", err
	}
	b.WriteString("Lines of Go (`wc -l`) in what a program that imports `client` compiles from this repository:\n\n")
	b.WriteString("| code | lines |\n|---|---:|\n")
	fmt.Fprintf(&b, "| `gen/*.gen.go` (oapi-codegen: models and low-level client) | %s |\n", comma(float64(genLines)))
	fmt.Fprintf(&b, "| `client/*.gen.go` (internal/sdkgen: the services, one method per operation) | %s |\n", comma(float64(svcLines)))
	fmt.Fprintf(&b, "| `client/*.go` by hand (login, TLS, retries, errors, paging, waits, key store) | %s |\n\n", comma(float64(handLines)))

	reps := min(cfg.reps, 3)
	tmp, err := os.MkdirTemp("", "qapi-bench-sdk-*")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	gosum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		return "", err
	}
	spec, err := os.ReadFile(filepath.Join(root, "api.yaml"))
	if err != nil {
		return "", err
	}
	specCode, err := codegen.Generate(ctx, spec, oapi.Configuration{PackageName: "spec", Generate: oapi.GenerateOptions{EmbeddedSpec: true}})
	if err != nil {
		return "", fmt.Errorf("embedded spec: %w", err)
	}
	results := make([][]sdkBuild, len(sdkPrograms))
	// Interleave the programs rep by rep, so that load from other work on
	// the machine falls on all of them alike.
	for r := 0; r < reps; r++ {
		for i, p := range sdkPrograms {
			if err := ctx.Err(); err != nil {
				return b.String(), err
			}
			dir := filepath.Join(tmp, fmt.Sprint(r, "-", i))
			files := map[string]string{"main.go": p.src}
			if p.spec {
				files["spec/spec.gen.go"] = specCode
			}
			res, err := buildProgram(ctx, cfg, root, dir, files, gosum)
			os.RemoveAll(dir) // build caches are large; keep one at a time
			if err != nil {
				return b.String(), fmt.Errorf("%s: %w", p.name, err)
			}
			fmt.Fprintf(cfg.log, "bench:   %s: cold %s (CPU %s), std cached %s (CPU %s), %d bytes\n", p.name,
				res.cold.Round(10*time.Millisecond), res.coldCPU.Round(10*time.Millisecond), res.warmStd.Round(10*time.Millisecond), res.warmCPU.Round(10*time.Millisecond), res.size)
			results[i] = append(results[i], res)
		}
	}
	fmt.Fprintf(&b, "A program that calls one operation (GET /v1/version) and prints the cluster's revision, written several ways, each the main package of a scratch module that requires this repository by a `replace`. **Cold** is `go build` with an empty build cache (GOCACHE in a new directory): the standard library and every dependency are compiled too. **Std cached** is the same build after the net/http program has filled that cache, so it times what the program adds beyond the standard library. Wall time is the median of %d interleaved runs [min – max]; CPU time (user and system of go build and the compilers it ran, median) is what other work on a shared machine disturbs least, so the comparisons below use it. Size is the binary `go build` writes (not stripped).\n\n", reps)
	b.WriteString("| program | packages linked | cold: wall [min – max] | cold: CPU | std cached: wall [min – max] | std cached: CPU | binary |\n|---|---:|---:|---:|---:|---:|---:|\n")
	field := func(f func(sdkBuild) time.Duration) func(sdkBuild) float64 {
		return func(r sdkBuild) float64 { return float64(f(r)) }
	}
	cold := field(func(r sdkBuild) time.Duration { return r.cold })
	warm := field(func(r sdkBuild) time.Duration { return r.warmStd })
	coldCPU := field(func(r sdkBuild) time.Duration { return r.coldCPU })
	warmCPU := field(func(r sdkBuild) time.Duration { return r.warmCPU })
	round := func(f float64) time.Duration { return time.Duration(f).Round(100 * time.Millisecond) }
	spread := func(rs []sdkBuild, f func(sdkBuild) float64) string {
		lo, hi := minMax(rs, f)
		return fmt.Sprintf("%s [%s – %s]", round(median(rs, f)), round(lo), round(hi))
	}
	for i, p := range sdkPrograms {
		rs := results[i]
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s | %.1f MiB |\n", p.name, rs[0].packages,
			spread(rs, cold), round(median(rs, coldCPU)), spread(rs, warm), round(median(rs, warmCPU)), float64(rs[0].size)/(1<<20))
	}
	b.WriteString("\n")
	for _, p := range sdkPrograms {
		fmt.Fprintf(&b, "- **%s**: %s.\n", p.name, p.note)
	}
	// Rows: 0 net/http, 1 gen, 2 client, 3 client with the embedded spec.
	med := func(i int, f func(sdkBuild) float64) time.Duration { return round(median(results[i], f)) }
	size := func(i int) float64 { return float64(results[i][0].size) / (1 << 20) }
	fmt.Fprintf(&b, "\n**What splitting bought.** gen embedded the spec until this SDK split it off (the root package embeds it as `qapi.Spec()`, and nothing used gen's copy). Without it a program that uses the client takes %s of CPU to build instead of %s with the standard library cached (%s instead of %s cold), links %d packages instead of %d (no kin-openapi, YAML or JSON Schema library) and is %.1f MiB instead of %.1f MiB: %.1f MiB more than the net/http program instead of %.1f MiB.\n",
		med(2, warmCPU), med(3, warmCPU), med(2, coldCPU), med(3, coldCPU),
		results[2][0].packages, results[3][0].packages, size(2), size(3), size(2)-size(0), size(3)-size(0))
	fmt.Fprintf(&b, "\n**Why not by area.** What remains is gen's own %s lines of models and client: %s of CPU on top of the standard library (the gen row), to which the services add %s. A split of gen by area would spare a program that uses one area at most that, and only if the client were split too: a field per area (`c.SMB`) needs every area's package, so the SDK would become a package per area (`smb.New(c).ListShares`) over a package of the types areas share (identities, the error document). That costs the one shape go-github users know for a saving paid once per build cache, so the SDK stays one package.\n",
		comma(float64(genLines)), med(1, warmCPU)-med(0, warmCPU), med(2, warmCPU)-med(1, warmCPU))
	return b.String(), nil
}

// goLines counts the lines of the .go files in dir whose names keep says.
func goLines(dir string, keep func(name string) bool) (int, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, f := range files {
		if !keep(filepath.Base(f)) {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return 0, err
		}
		n += bytes.Count(data, []byte("\n"))
	}
	return n, nil
}

// buildProgram writes files (main.go and any package beside it) into a
// module in dir that uses the repository at root, builds it with an empty
// cache, and builds it again in a cache that holds the standard library's
// net/http program.
func buildProgram(ctx context.Context, cfg config, root, dir string, files map[string]string, gosum []byte) (sdkBuild, error) {
	var res sdkBuild
	mod := filepath.Join(dir, "mod")
	gomod := fmt.Sprintf("module example.com/onecall\n\ngo 1.26\n\nrequire github.com/qapitools/qapi v0.0.0\n\nreplace github.com/qapitools/qapi => %s\n", root)
	files["go.mod"], files["go.sum"] = gomod, string(gosum)
	for name, data := range files {
		path := filepath.Join(mod, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return res, err
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			return res, err
		}
	}
	env := func(cache string) []string {
		// -mod=mod lets go add the repository's requirements to the scratch
		// go.mod; GOPROXY=off keeps it to the module cache.
		return append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "GOPROXY=off", "GOCACHE="+cache)
	}
	goCmd := func(cache string, args ...string) (string, time.Duration, time.Duration, error) {
		cmd := exec.CommandContext(ctx, cfg.goTool, args...)
		cmd.Dir, cmd.Env = mod, env(cache)
		start := time.Now()
		out, err := cmd.CombinedOutput()
		if err != nil {
			return "", 0, 0, fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		// The rusage of a waited-for process counts the children it waited
		// for: the compilers and the linker.
		cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		return string(out), time.Since(start), cpu, nil
	}
	// Resolve the module graph first, so that neither timed build does it.
	if _, _, _, err := goCmd(filepath.Join(dir, "cache-list"), "list", "-deps", "."); err != nil {
		return res, err
	}
	bin := filepath.Join(dir, "onecall")
	var err error
	if _, res.cold, res.coldCPU, err = goCmd(filepath.Join(dir, "cache-cold"), "build", "-o", bin, "."); err != nil {
		return res, err
	}
	info, err := os.Stat(bin)
	if err != nil {
		return res, err
	}
	res.size = info.Size()
	deps, _, _, err := goCmd(filepath.Join(dir, "cache-cold"), "list", "-deps", ".")
	if err != nil {
		return res, err
	}
	res.packages = len(strings.Fields(deps))

	// The net/http program's packages, all in the standard library, warm a
	// second cache; then this program is built in it.
	warm := filepath.Join(dir, "cache-std")
	if _, _, _, err := goCmd(warm, "build", "-o", os.DevNull, "crypto/tls", "encoding/json", "fmt", "net/http", "os", "context"); err != nil {
		return res, err
	}
	if _, res.warmStd, res.warmCPU, err = goCmd(warm, "build", "-o", bin, "."); err != nil {
		return res, err
	}
	return res, nil
}
