// Command qapi turns Qumulo REST API doc pages into an OpenAPI contract and a
// Go client, and checks servers against that contract.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

const usage = `qapi turns Qumulo REST API doc pages into an OpenAPI 3.0 contract and Go code.

Usage:
  qapi convert DIR... -o FILE [--overlay FILE|DIR]... [--strict]
  qapi generate --docs DIR... --out DIR --package NAME [--overlay FILE|DIR]... [--strict]

Run 'qapi COMMAND --help' for the flags of a command.
Exit codes: 0 success, 1 the work failed (bad pages, bad overlay), 2 usage error.
`

// Main is the program; it holds its streams so tests run it in-process.
type Main struct {
	Stdout, Stderr io.Writer
	cmd            command
}

type command interface {
	Run(ctx context.Context) error
}

var errHelp = errors.New("help requested")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := &Main{Stdout: os.Stdout, Stderr: os.Stderr}
	os.Exit(m.Exec(ctx, os.Args[1:]))
}

// Exec parses args, runs the command and returns the exit code.
func (m *Main) Exec(ctx context.Context, args []string) int {
	if err := m.ParseFlags(args); err != nil {
		if errors.Is(err, errHelp) {
			return exitOK
		}
		fmt.Fprintf(m.Stderr, "qapi: %v\n", err)
		return exitUsage
	}
	defer m.Close()
	if err := m.Run(ctx); err != nil {
		fmt.Fprintf(m.Stderr, "qapi: %v\n", err)
		return exitFail
	}
	return exitOK
}

// ParseFlags picks the command and parses its flags.
func (m *Main) ParseFlags(args []string) error {
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usage)
		return errors.New("no command given")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(m.Stdout, usage)
		return errHelp
	case "convert":
		c := &convertCmd{stdout: m.Stdout, stderr: m.Stderr}
		m.cmd = c
		return c.parse(args[1:])
	case "generate":
		c := &generateCmd{stdout: m.Stdout, stderr: m.Stderr}
		m.cmd = c
		return c.parse(args[1:])
	}
	fmt.Fprint(m.Stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// Run runs the parsed command.
func (m *Main) Run(ctx context.Context) error { return m.cmd.Run(ctx) }

// Close releases what the command holds; the commands so far hold nothing
// past Run, and servers added later stop here.
func (m *Main) Close() {}
