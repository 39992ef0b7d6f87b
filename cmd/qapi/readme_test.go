package main

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/qapitools/qapi/check"
)

var updateREADME = flag.Bool("update", false, "rewrite the README's table of checks from the check registry")

// The README's table of checks, between these lines, is the registry's.
const (
	checksBegin = "<!-- checks: the check registry (check/registry.go); go test ./cmd/qapi -run TestREADMEListsTheChecks -update rewrites it -->\n"
	checksEnd   = "<!-- end of checks -->\n"
)

// The README lists the checks the registry has, with what each asserts,
// where it runs and the mock faults that prove it, and nothing else.
func TestREADMEListsTheChecks(t *testing.T) {
	const path = "../../README.md"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	begin := strings.Index(readme, checksBegin)
	end := strings.Index(readme, checksEnd)
	if begin < 0 || end < begin {
		t.Fatalf("README.md has no table of checks between %q and %q", checksBegin, checksEnd)
	}
	have := readme[begin+len(checksBegin) : end]
	want := checksTable()
	if have == want {
		return
	}
	if *updateREADME {
		if err := os.WriteFile(path, []byte(readme[:begin+len(checksBegin)]+want+readme[end:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's table of checks differs from the registry (go test ./cmd/qapi -run %s -update rewrites it); want\n%s", t.Name(), want)
}

// checksTable renders the registry as the README shows it: every check in
// report order, the contract's checks first.
func checksTable() string {
	active, passive := check.Active(), check.Passive()
	faults := map[string][]string{}
	for f, checks := range check.FaultChecks() {
		for _, c := range checks {
			faults[c] = append(faults[c], "`"+f+"`")
		}
	}
	var names []string
	for _, c := range append(slices.Clone(active), passive...) {
		if !slices.Contains(names, c.Name) {
			names = append(names, c.Name)
		}
	}
	find := func(list []check.Check, name string) (check.Check, bool) {
		i := slices.IndexFunc(list, func(c check.Check) bool { return c.Name == name })
		if i < 0 {
			return check.Check{}, false
		}
		return list[i], true
	}
	var b strings.Builder
	b.WriteString("| check | what it asserts | run by | mock faults it catches |\n|---|---|---|---|\n")
	for _, name := range names {
		a, isActive := find(active, name)
		p, isPassive := find(passive, name)
		var runBy []string
		desc := a.Description
		if isActive {
			runBy = append(runBy, "contract")
		}
		if isPassive {
			runBy = append(runBy, "proxy, verify")
			switch {
			case !isActive:
				desc = p.Description
			case p.Description != a.Description:
				desc += " Proxy and verify, which only observe: " + strings.ToLower(p.Description[:1]) + p.Description[1:]
			}
		}
		slices.Sort(faults[name])
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", name, desc, strings.Join(runBy, ", "), strings.Join(faults[name], ", "))
	}
	return b.String()
}
