package convert

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestGolden converts each case under testdata/ and compares the document and
// its warnings, or the error, with the case's want.golden. A case holds its
// pages under pages/, optional overlays under overlays/, and a file named
// strict to convert with Options.Strict.
func TestGolden(t *testing.T) {
	cases, err := filepath.Glob("testdata/*/pages")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no golden cases found: %v", err)
	}
	for _, pages := range cases {
		dir := filepath.Dir(pages)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			got := runCase(t, dir)
			golden := filepath.Join(dir, "want.golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./convert -run TestGolden -update)", err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s (rerun with -update if intended):\n%s", golden, diff(string(want), got))
			}
		})
	}
}

func runCase(t *testing.T, dir string) string {
	t.Helper()
	var overlays []string
	if _, err := os.Stat(filepath.Join(dir, "overlays")); err == nil {
		overlays, err = OverlayFiles([]string{filepath.Join(dir, "overlays")})
		if err != nil {
			t.Fatal(err)
		}
	}
	_, strictErr := os.Stat(filepath.Join(dir, "strict"))
	built, err := Build([]Source{{Name: "pages", FS: os.DirFS(filepath.Join(dir, "pages"))}}, overlays, Options{Strict: strictErr == nil})
	if err != nil {
		var ce *Error
		kind := "error"
		if errors.As(err, &ce) {
			kind = "problems"
		}
		return "# " + kind + "\n" + strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), "") + "\n"
	}
	var b strings.Builder
	b.Write(built.YAML)
	b.WriteString("# warnings\n")
	for _, w := range built.Warnings {
		b.WriteString(w.String() + "\n")
	}
	return b.String()
}

// diff shows the first differing line with some context.
func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + wl + "\n  got:  " + gl
		}
	}
	return "(same lines, different bytes)"
}
