package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// keepSections restores the registry after a test that adds to it.
func keepSections(t *testing.T) {
	saved := append([]section(nil), sections...)
	t.Cleanup(func() { sections = saved })
}

func TestHarnessWritesSections(t *testing.T) {
	keepSections(t)
	register(section{name: "zz test ok", run: func(ctx context.Context, cfg config) (string, error) {
		return "ok body with " + cfg.corpus + "\n", nil
	}})
	register(section{name: "zz test failing", run: func(context.Context, config) (string, error) {
		return "", errors.New("boom")
	}})
	out := filepath.Join(t.TempDir(), "RESULTS.md")
	var log bytes.Buffer
	code := run(context.Background(), []string{"-run", "^zz test", "-corpus", "CORPUS", "-root", "..", "-o", out}, &log)
	if code != 1 {
		t.Errorf("exit %d with a failing section, want 1; log:\n%s", code, log.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got := string(data)
	for _, want := range []string{"# qapi benchmark results", "`go version`", "| CPUs |", "| machine |",
		"## zz test ok\n\nok body with CORPUS\n", "## zz test failing\n\n**This section failed:** boom"} {
		if !strings.Contains(got, want) {
			t.Errorf("results lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "## Conversion speed") {
		t.Error("-run did not filter the sections")
	}
}

func TestRegisterTwicePanics(t *testing.T) {
	keepSections(t)
	defer func() {
		if recover() == nil {
			t.Error("registering a name twice did not panic")
		}
	}()
	register(section{name: "zz dup"})
	register(section{name: "zz dup"})
}

func TestComma(t *testing.T) {
	for in, want := range map[float64]string{0: "0", 999: "999", 1000: "1,000", 63508172: "63,508,172"} {
		if got := comma(in); got != want {
			t.Errorf("comma(%v) = %q, want %q", in, got, want)
		}
	}
}
