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
	// exitQuit is a second Ctrl-C or SIGTERM: 128 + SIGINT, as shells report.
	exitQuit = 130
)

const usage = `qapi turns Qumulo REST API doc pages into an OpenAPI 3.0 contract and Go code.

Usage:
  qapi convert DIR... -o FILE [--overlay FILE|DIR]... [--strict]
  qapi generate --docs DIR... --out DIR --package NAME [--overlay FILE|DIR]... [--strict] [--force]
  qapi mock [--spec FILE] [--addr HOST:PORT] [--tls [--cert-out FILE]] [--seed N] [--user NAME --password PW] [--fault NAME]
  qapi contract [--spec FILE] [--checks NAME,...] [--seed N] [--strict] [--allow-writes] [--junit FILE] [--json FILE] [--html FILE]
  qapi proxy --upstream URL [--listen HOST:PORT] [--tls [--cert-out FILE] | --cert FILE --key FILE] [--spec FILE] [--record FILE.har] [--fail-on-violation] [--ca-cert FILE] [--insecure]
  qapi verify FILE.har [--spec FILE] [--strict] [--junit FILE] [--json FILE] [--html FILE]
  qapi diff OLD NEW [--format text|json|markdown] [--fail-on breaking|any] [--overlay FILE|DIR]... [--raw]

Run 'qapi COMMAND --help' for the flags of a command.
Exit codes: 0 success, 1 the work failed (bad pages, bad overlay, a contract check failed,
a contract violation in proxied or recorded traffic, a change --fail-on names),
2 usage or setup error. Ctrl-C (or SIGTERM) stops a command cleanly; a second one quits at
once with 130.
`

// Main is the program; it holds its streams so tests run it in-process.
type Main struct {
	Stdout, Stderr io.Writer
	// Getenv reads the environment; nil means os.Getenv. Tests set it.
	Getenv func(string) string
	cmd    command
}

func (m *Main) getenv() func(string) string {
	if m.Getenv != nil {
		return m.Getenv
	}
	return os.Getenv
}

// isTerminal tells whether w is a terminal, where a progress line helps.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

type command interface {
	parse(args []string) error
	Run(ctx context.Context) error
}

// commands makes each command with the streams and environment of m.
var commands = map[string]func(m *Main) command{
	"convert":  func(m *Main) command { return &convertCmd{stdout: m.Stdout, stderr: m.Stderr} },
	"generate": func(m *Main) command { return &generateCmd{stdout: m.Stdout, stderr: m.Stderr} },
	"contract": func(m *Main) command {
		return &contractCmd{stdout: m.Stdout, stderr: m.Stderr, getenv: m.getenv(), isTTY: isTerminal(m.Stderr)}
	},
	"mock":   func(m *Main) command { return &mockCmd{stdout: m.Stdout, stderr: m.Stderr} },
	"proxy":  func(m *Main) command { return &proxyCmd{stdout: m.Stdout, stderr: m.Stderr, getenv: m.getenv()} },
	"verify": func(m *Main) command { return &verifyCmd{stdout: m.Stdout, stderr: m.Stderr} },
	"diff":   func(m *Main) command { return &diffCmd{stdout: m.Stdout, stderr: m.Stderr, getenv: m.getenv()} },
}

var errHelp = errors.New("help requested")

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go stopOnSignals(sig, cancel, os.Stderr, os.Exit)
	m := &Main{Stdout: os.Stdout, Stderr: os.Stderr}
	os.Exit(m.Exec(ctx, os.Args[1:]))
}

// stopOnSignals cancels the run at the first signal, so that a command
// stops cleanly (servers finish the requests in flight, contract restores
// what it changed), and quits at the second, for one that does not stop.
func stopOnSignals(sig <-chan os.Signal, cancel func(), stderr io.Writer, exit func(int)) {
	s := <-sig
	cancel()
	fmt.Fprintf(stderr, "qapi: %v: stopping (again to quit at once)\n", s)
	s = <-sig
	fmt.Fprintf(stderr, "qapi: %v again: quitting\n", s)
	exit(exitQuit)
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
		var ue usageError
		if errors.As(err, &ue) {
			return exitUsage
		}
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
	}
	if newCmd, ok := commands[args[0]]; ok {
		m.cmd = newCmd(m)
		return m.cmd.parse(args[1:])
	}
	fmt.Fprint(m.Stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// Run runs the parsed command.
func (m *Main) Run(ctx context.Context) error { return m.cmd.Run(ctx) }

// Close releases what the command holds: a server command stops here.
func (m *Main) Close() {
	if c, ok := m.cmd.(interface{ Close() }); ok {
		c.Close()
	}
}
