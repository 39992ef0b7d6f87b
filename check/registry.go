package check

import (
	"cmp"
	"slices"
)

// entry is one check: the one place that says what it asserts, where it
// runs and which mock faults must make it fail. Adding a check is an entry
// here plus its function: a judge in this package, and for a probe the
// contract runner's probe that sends its requests.
type entry struct {
	name        string
	description string
	// active checks run in qapi contract; passive ones on one observed
	// exchange (the proxy, qapi verify).
	active, passive bool
	// passiveDescription is what the passive check asserts, where an
	// observer can assert less than the contract runner.
	passiveDescription string
	// probe marks an active check that needs requests of its own; the
	// others judge every answer (Checker.ResponseOutcomes).
	probe bool
	// faults are the mock faults (qapi mock --fault NAME) a contract run
	// must catch with this check, and only with the checks naming them.
	faults []string
}

// registry lists the checks in report order.
var registry = []entry{
	{name: RequestConformance, passive: true,
		description: "A request the client sent matches its operation: parameters and JSON body schema."},
	{name: NotAServerError, active: true, passive: true, faults: []string{"server-error-on-bad-input"},
		description: "No request gets a 5xx answer."},
	{name: StatusCodeConformance, active: true, passive: true, faults: []string{"undocumented-status"},
		description: "Every status answered is documented for the operation: successes explicitly, errors (4xx, 5xx) at least by its default response."},
	{name: ContentTypeConformance, active: true, passive: true, faults: []string{"wrong-content-type"},
		description: "A response body comes with a documented Content-Type, and only where the response documents content."},
	{name: ResponseHeadersConformance, active: true, passive: true,
		description: "Documented response headers are present and match their schemas."},
	// undeclared-property shows only under strict checking.
	{name: ResponseSchemaConformance, active: true, passive: true, faults: []string{"wrong-field-type", "undeclared-property", "missing-field"},
		description: "Every response body validates against its schema; with strict mode, undeclared properties fail too (drift)."},
	{name: NegativeDataRejection, active: true, probe: true, faults: []string{"server-error-on-bad-input"},
		description: "Requests made invalid on purpose (wrong type, out of range, missing required field, unknown enum value, malformed JSON) get a 4xx."},
	{name: IgnoredAuth, active: true, passive: true, probe: true, faults: []string{"ignored-token"},
		description:        "An operation that requires security refuses a request without a token and one with a wrong token.",
		passiveDescription: "A request without a token to an operation that requires security is refused."},
	{name: WriteOnlyNeverReturned, active: true, passive: true, faults: []string{"leaked-private-key"},
		description: "A value sent in a writeOnly or format: password field never appears in a later response body or header."},
	{name: StatefulRoundTrip, active: true, probe: true, faults: []string{"lost-write"},
		description: "A write is visible in the next read of the same resource; a deleted item answers 404 (use after free)."},
	{name: EtagRespected, active: true, probe: true, faults: []string{"ignored-if-match"},
		description: "A write with a stale If-Match gets 412 where the operation takes If-Match."},
}

// Active lists the checks of the contract runner, which sends requests of
// its own, in report order; the list is the caller's to change.
func Active() []Check {
	var out []Check
	for _, e := range registry {
		if e.active {
			out = append(out, Check{e.name, e.description})
		}
	}
	return out
}

// Passive lists the checks that apply to one observed exchange, in report
// order: what the proxy and qapi verify check; the list is the caller's to
// change. Negative data, round trips and ETags need requests of their own
// and are not among them; ignored_auth is checked as an observer can (a
// request without a token to a secured operation must not succeed).
func Passive() []Check {
	var out []Check
	for _, e := range registry {
		if e.passive {
			out = append(out, Check{e.name, cmp.Or(e.passiveDescription, e.description)})
		}
	}
	return out
}

// Known tells whether name is one of the Active checks.
func Known(name string) bool {
	return slices.ContainsFunc(registry, func(e entry) bool { return e.active && e.name == name })
}

// Probes lists the Active checks that need requests of their own
// (invalid bodies, missing tokens, reads after writes, stale ETags), in
// report order: the contract runner has a probe for each of them and for
// no other check.
func Probes() []string {
	var out []string
	for _, e := range registry {
		if e.probe {
			out = append(out, e.name)
		}
	}
	return out
}

// FaultChecks maps each mock fault (qapi mock --fault NAME) to the checks a
// contract run against a mock with that fault must fail, and only those, in
// report order. The map is the caller's own.
func FaultChecks() map[string][]string {
	out := map[string][]string{}
	for _, e := range registry {
		for _, f := range e.faults {
			out[f] = append(out[f], e.name)
		}
	}
	return out
}
