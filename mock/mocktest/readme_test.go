package mocktest_test

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/qapitools/qapi/client"
	"github.com/qapitools/qapi/gen"
	"github.com/qapitools/qapi/mock"
	"github.com/qapitools/qapi/mock/mocktest"
)

// The README's tests of a driver, run here as they are shown there
// (TestREADMEShowsTheseTests).

func TestDeleteShareWhileBusy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tw := mocktest.New(t, mock.WithTLS()) // a fresh twin, tw.Client logged in and trusting it
	tw.MkdirAll("/projects")
	tw.Seed("POST", "/v2/smb/shares/", map[string]any{"share_name": "projects", "fs_path": "/projects"})

	// The first DELETE of this share answers 409 share_busy_error.
	tw.React(mock.Reaction{Method: "DELETE", Path: "/v3/smb/shares/{share_id}", Item: "projects",
		Status: 409, Class: "share_busy_error", Times: 1})
	if err := tw.Client.SMB.DeleteShare(ctx, "projects"); !client.IsConflict(err) {
		t.Fatalf("first delete: %v, want 409", err)
	}
	if err := tw.Client.SMB.DeleteShare(ctx, "projects"); err != nil {
		t.Fatal(err)
	}
	if tw.Exists("/v2/smb/shares/projects") {
		t.Error("the share is still there")
	}
}

func TestTreeDeleteThatFails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := mocktest.NewClock(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	tw := mocktest.New(t, mock.WithHeldJobs(), mock.WithClock(clock.Now))
	tw.WriteFile("/scratch/big.bin", make([]byte, 1<<20)) // parents made too
	if err := tw.Client.TreeDelete.CreateJob(ctx, gen.TreeDeleteJobPost{ID: client.Ptr("/scratch")}); err != nil {
		t.Fatal(err)
	}
	id := tw.Mock.Jobs()[0] // the directory's file id
	tw.FailJob(id, "file locked")
	if job, err := tw.Client.TreeDelete.GetJob(ctx, id); err != nil || job.GetLastErrorMessage() != "file locked" {
		t.Fatalf("job: %+v, %v", job, err)
	}
	clock.Advance(11 * time.Hour) // the session token expires; the client logs in again
	tw.FinishJob(id)
	if err := tw.Client.TreeDelete.WaitJob(ctx, id); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(tw.Files(), "/scratch/") {
		t.Error("the tree is still there")
	}
}

// readmeTest matches a test's marker in the README and the Go block after
// it.
var readmeTest = regexp.MustCompile("(?s)<!-- mocktest: ([A-Za-z]+) -->\\s*```go\\n(.*?)```")

func TestREADMEShowsTheseTests(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("readme_test.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "readme_test.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	funcs := map[string]string{}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok {
			funcs[fd.Name.Name] = string(src[fset.Position(fd.Pos()).Offset:fset.Position(fd.End()).Offset]) + "\n"
		}
	}
	var shown []string
	for _, m := range readmeTest.FindAllSubmatch(readme, -1) {
		name, code := string(m[1]), string(m[2])
		shown = append(shown, name)
		if code != funcs[name] {
			t.Errorf("the README's %s is not the one in readme_test.go:\nREADME:\n%s\nreadme_test.go:\n%s", name, code, funcs[name])
		}
	}
	if want := []string{"TestDeleteShareWhileBusy", "TestTreeDeleteThatFails"}; !slices.Equal(shown, want) {
		t.Errorf("the README shows %v, want %v", shown, want)
	}
}
