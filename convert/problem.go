package convert

import (
	"fmt"
	"sort"
	"strings"
)

// Severity says whether a problem stops conversion.
type Severity int

const (
	// SeverityError problems make Convert fail.
	SeverityError Severity = iota
	// SeverityWarning problems are reported; strict mode turns them into errors.
	SeverityWarning
)

// Problem is one thing wrong with the input, located by file and line, and by a
// JSON pointer when it lies inside an embedded schema.
type Problem struct {
	File     string
	Line     int
	Pointer  string
	Message  string
	Severity Severity
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	if p.Pointer != "" {
		fmt.Fprintf(&b, ": %s", p.Pointer)
	}
	if p.Severity == SeverityWarning {
		b.WriteString(": warning")
	}
	fmt.Fprintf(&b, ": %s", p.Message)
	return b.String()
}

// Error lists every error found in one conversion; it is returned instead of
// stopping at the first so a user can fix all of them in one pass.
type Error struct {
	Problems []Problem
}

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	noun := "problems"
	if len(lines) == 1 {
		noun = "problem"
	}
	return fmt.Sprintf("%d %s in the doc pages:\n%s", len(lines), noun, strings.Join(lines, "\n"))
}

type problems []Problem

func (ps *problems) errorf(file string, line int, pointer, format string, args ...any) {
	*ps = append(*ps, Problem{File: file, Line: line, Pointer: pointer, Message: fmt.Sprintf(format, args...)})
}

func (ps *problems) warnf(file string, line int, pointer, format string, args ...any) {
	*ps = append(*ps, Problem{File: file, Line: line, Pointer: pointer, Message: fmt.Sprintf(format, args...), Severity: SeverityWarning})
}

// sorted orders problems by file, line and pointer so reports are stable.
func (ps problems) sorted() []Problem {
	out := append([]Problem(nil), ps...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Pointer < b.Pointer
	})
	return out
}
