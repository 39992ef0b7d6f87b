package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/qapitools/qapi/convert"
	"github.com/qapitools/qapi/internal/codegen"
)

func init() {
	register(section{name: "Go SDK: size and build cost", run: runSDK})
}

// One program per way of calling one operation (GET /v1/version) on a
// cluster, each the whole main package of a scratch module. A program with
// wholeClient is built with gen as oapi-codegen writes it by default, with
// its low-level Client and ClientWithResponses (go build -overlay), as every
// program that used the client did until gen/cfg.yaml kept only the request
// builders.
var sdkPrograms = []struct {
	name, note, src string
	wholeClient     bool
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
	{"gen (types and request builders)", "gen.NewGetVersionRequest sent by http.Client and decoded into gen.VersionInfo, without package client", `package main

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net/http"
	"os"

	"github.com/qapitools/qapi/gen"
)

func main() {
	req, err := gen.NewGetVersionRequest(os.Args[1])
	if err != nil {
		panic(err)
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12}}}
	resp, err := hc.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var v gen.VersionInfo
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		panic(err)
	}
	fmt.Println(v.GetRevisionID())
}
`, false},
	{"client (the SDK)", "client.New and c.Version.Get: login, TLS, retries, typed errors", clientProgram, false},
	{"client, if gen had the whole client", "the client program, built with gen as oapi-codegen writes it by default (`qapi generate`'s options): also its low-level Client, ClientWithResponses, an answer type and a parser per operation, which package client does not use", clientProgram, true},
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
	fmt.Println(v.GetRevisionID())
}
`

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
	fmt.Fprintf(&b, "| `gen/*.gen.go` (oapi-codegen: models and request builders; internal/sdkgen: accessors) | %s |\n", comma(float64(genLines)))
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
	wholeGen, err := codegen.Generate(ctx, spec, codegen.Config("gen", convert.AddedInitialisms...))
	if err != nil {
		return "", fmt.Errorf("gen with the whole client: %w", err)
	}
	wholeGenLines := strings.Count(wholeGen, "\n")
	builderLines, err := goLines(filepath.Join(root, "gen"), func(name string) bool { return name == "qapi.gen.go" })
	if err != nil {
		return "", err
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
			var overlay map[string]string
			if p.wholeClient {
				overlay = map[string]string{filepath.Join(root, "gen", "qapi.gen.go"): wholeGen}
			}
			res, err := buildProgram(ctx, cfg, root, dir, map[string]string{"main.go": p.src}, overlay, gosum)
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
	// Rows: 0 net/http, 1 gen, 2 client, 3 client with gen's whole client.
	med := func(i int, f func(sdkBuild) float64) time.Duration { return round(median(results[i], f)) }
	size := func(i int) float64 { return float64(results[i][0].size) / (1 << 20) }
	fmt.Fprintf(&b, "\n**What keeping the builders alone bought.** With oapi-codegen's whole client, `gen/qapi.gen.go` is %s lines; with the types and request builders alone it is %s. The services call every operation, so the low-level Client, ClientWithResponses and the answer type and parser of each operation only duplicated them, and the linker dropped them anyway (binaries of %.1f and %.1f MiB). Without them a program that uses the client takes %s of CPU to build instead of %s with the standard library cached (%s instead of %s cold). The spec is not embedded in gen either (the root package has it, `qapi.Spec()`), so such a program links no kin-openapi, YAML or JSON Schema library.\n",
		comma(float64(wholeGenLines)), comma(float64(builderLines)), size(2), size(3), med(2, warmCPU), med(3, warmCPU), med(2, coldCPU), med(3, coldCPU))
	fmt.Fprintf(&b, "\n**Why not by area.** What remains is gen's own %s lines of models and request builders: %s of CPU on top of the standard library (the gen row), to which the services add %s. A split of gen by area would spare a program that uses one area at most that, and only if the client were split too: a field per area (`c.SMB`) needs every area's package, so the SDK would become a package per area (`smb.New(c).ListShares`) over a package of the types areas share (identities, the error document). That costs the one shape go-github users know for a saving paid once per build cache, so the SDK stays one package.\n",
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
// net/http program. overlay replaces files of the repository by path (go
// build -overlay).
func buildProgram(ctx context.Context, cfg config, root, dir string, files, overlay map[string]string, gosum []byte) (sdkBuild, error) {
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
	var overlayFlag []string
	if len(overlay) > 0 {
		replace := map[string]string{}
		for path, data := range overlay {
			file := filepath.Join(dir, "overlay", fmt.Sprint(len(replace), ".go"))
			if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
				return res, err
			}
			if err := os.WriteFile(file, []byte(data), 0o644); err != nil {
				return res, err
			}
			replace[path] = file
		}
		spec, err := json.Marshal(map[string]any{"Replace": replace})
		if err != nil {
			return res, err
		}
		file := filepath.Join(dir, "overlay.json")
		if err := os.WriteFile(file, spec, 0o644); err != nil {
			return res, err
		}
		overlayFlag = []string{"-overlay=" + file}
	}
	env := func(cache string) []string {
		// -mod=mod lets go add the repository's requirements to the scratch
		// go.mod; GOPROXY=off keeps it to the module cache.
		return append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "GOPROXY=off", "GOCACHE="+cache)
	}
	goCmd := func(cache string, args ...string) (string, time.Duration, time.Duration, error) {
		args = append(args[:1:1], append(overlayFlag, args[1:]...)...)
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
