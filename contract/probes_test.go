package contract

import (
	"slices"
	"testing"

	"github.com/qapitools/qapi/check"
)

// Every check the registry says needs requests of its own has a probe here,
// and nothing else has one: a check added to the registry without its
// probe would be listed and reported but never run.
func TestProbesMatchTheCheckRegistry(t *testing.T) {
	t.Parallel()
	var have []string
	for _, p := range probes {
		if slices.Contains(have, p.check) {
			t.Errorf("two probes for %s", p.check)
		}
		have = append(have, p.check)
	}
	slices.Sort(have)
	want := check.Probes()
	slices.Sort(want)
	if !slices.Equal(have, want) {
		t.Errorf("the runner's probes %v, the registry's %v", have, want)
	}
}
