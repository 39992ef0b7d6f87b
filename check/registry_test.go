package check

import (
	"slices"
	"testing"
)

// Each entry of the registry is a check something runs, named once; only a
// check the contract runner runs sends requests of its own, and a passive
// description belongs to a passive check.
func TestRegistryEntries(t *testing.T) {
	t.Parallel()
	var names []string
	for _, e := range registry {
		if slices.Contains(names, e.name) {
			t.Errorf("%s: two entries", e.name)
		}
		names = append(names, e.name)
		switch {
		case e.description == "":
			t.Errorf("%s: no description", e.name)
		case !e.active && !e.passive:
			t.Errorf("%s: neither active nor passive", e.name)
		case e.probe && !e.active:
			t.Errorf("%s: a probe the contract runner does not run", e.name)
		case e.passiveDescription != "" && !e.passive:
			t.Errorf("%s: a passive description of a check that is not passive", e.name)
		}
	}
}

// The lists and the fault map are the caller's: editing one changes
// neither the registry nor what the next caller reads.
func TestRegistryHandsOutCopies(t *testing.T) {
	t.Parallel()
	a, p, probes, faults := Active(), Passive(), Probes(), FaultChecks()
	a[0].Name, p[0].Description, probes[0] = "changed", "changed", "changed"
	faults["lost-write"][0] = "changed"
	delete(faults, "ignored-token")
	if Active()[0].Name == "changed" || Passive()[0].Description == "changed" || Probes()[0] == "changed" {
		t.Error("an edit of a returned list shows in the next call")
	}
	if again := FaultChecks(); again["lost-write"][0] == "changed" || again["ignored-token"] == nil {
		t.Errorf("an edit of the returned fault map shows in the next call: %v", again)
	}
}
