// Package contract checks that a Qumulo server keeps the contract in an
// OpenAPI document: the embedded api.yaml by default, or any OpenAPI 3.0
// document.
//
// Run exercises every operation of the spec against a server and returns a
// report.Report. For each operation it sends a valid request built from the
// spec's examples and from values generated from the schemas (reproducible
// with Config.Seed; one request per arm when the body is a oneOf union),
// invalid mutations of it, and requests without or with a wrong token; it
// reads writes back and follows created items through delete (through the
// collection's listing when an item has no GET of its own). Operations on
// items act on items the run creates through the collection's POST, as a
// client would: a create refused because a name or path is taken is tried
// again under a name of the run's own, bodies that name a user name the
// one logged in (who-am-i), and each path's DELETE runs after its other
// methods. Each check of
// check.Active judges what came back; every failure carries the exchange and
// a curl command that replays it, with passwords, private keys and tokens
// redacted.
//
// The files follow a run's stages: runner.go sends and records, requests.go
// builds valid and invalid requests, fixtures.go creates the items
// operations act on, active.go holds the probes: the requests of the checks
// that need requests of their own (check.Probes), whose answers check's
// judges decide; safety.go classes every operation (Classify), gate.go decides
// what may be sent, journal.go and restore.go journal each change before
// it is sent and undo it.
//
// What a run may change is Config.Access: ReadOnly (the zero value) sends
// GET and HEAD only, besides its login; AllowWrites adds the Reversible
// operations, journalled and undone at the end, also after a failure or
// cancellation, or later by Restore from the journal file; AllowDisruptive
// sends everything and reports what it could not put back; Twin sends
// everything to a twin made for the run.
package contract
