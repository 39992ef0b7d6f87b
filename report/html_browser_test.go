package report

import (
	"bytes"
	"context"
	"github.com/qapitools/qapi/check"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// chromium finds a headless browser; CI installs Debian's chromium.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no chromium on PATH: .ci/run installs it, so CI must have it")
	}
	t.Skip("no chromium on PATH (apt-get install chromium) to render the HTML report")
	return ""
}

func headless(t *testing.T, browser string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--hide-scrollbars", "--user-data-dir=" + t.TempDir()}
	out, err := exec.CommandContext(ctx, browser, append(base, args...)...).Output()
	if err != nil {
		t.Fatalf("chromium %v: %v", args, err)
	}
	return out
}

// The HTML report renders in a real browser with its operations × checks
// table: green cells for passes, a red one for the failure, and the failure
// detail in the DOM.
func TestHTMLReportRendersInChromium(t *testing.T) {
	t.Parallel()
	browser := chromium(t)
	rep := passingReport()
	failed := rep.Operations[0].Results[0]
	failed.Status = check.Fail
	failed.Failures = []Failure{{Message: "injected failure for the screenshot", Curl: "curl -X GET 'http://127.0.0.1/x'"}}
	rep.Finish()
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	var html bytes.Buffer
	if err := rep.WriteHTML(&html); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, html.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	dom := string(headless(t, browser, "--dump-dom", "file://"+page))
	if got, want := strings.Count(dom, `class="cell `), len(rep.Operations)*len(rep.Checks); got != want {
		t.Errorf("rendered matrix has %d cells, want %d", got, want)
	}
	if !strings.Contains(dom, "injected failure for the screenshot") {
		t.Error("rendered page lacks the failure detail")
	}
	shot := filepath.Join(dir, "report.png")
	headless(t, browser, "--window-size=1000,700", "--screenshot="+shot, "file://"+page)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	for name, want := range map[string]color.RGBA{
		"dark header":     {0x24, 0x29, 0x2f, 0xff},
		"green pass cell": {0xda, 0xfb, 0xe1, 0xff},
		"red fail cell":   {0xcf, 0x22, 0x2e, 0xff},
	} {
		if n := countColor(img, want); n < 100 {
			t.Errorf("screenshot shows %d pixels of the %s colour, want a visible area", n, name)
		}
	}
}

func countColor(img image.Image, want color.RGBA) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if near(r, want.R) && near(g, want.G) && near(bl, want.B) {
				n++
			}
		}
	}
	return n
}

func near(v uint32, want uint8) bool {
	d := int(v>>8) - int(want)
	return d >= -3 && d <= 3
}
