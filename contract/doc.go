// Package contract checks that a Qumulo server keeps the contract in an
// OpenAPI document: the embedded api.yaml by default, or any OpenAPI 3.0
// document.
//
// Run exercises every operation of the spec against a server and returns a
// Report. For each operation it sends a valid request built from the spec's
// examples and from values generated from the schemas (reproducible with
// Config.Seed; one request per arm when the body is a oneOf union), invalid
// mutations of it, and requests without or with a wrong token; it reads
// writes back and follows created items through delete. Each named check in
// Checks judges what came back; every failure carries the exchange and a
// curl command that replays it, with passwords, private keys and tokens
// redacted.
//
// TargetFromEnv picks the server: the embedded mock, started in-process, or
// the cluster that QUMULO_URL names, with its credentials and TLS trust.
// Against a cluster a run is read-only unless writes are allowed; with
// writes it saves what it will change and restores it at the end, also
// after a failure or cancellation.
//
// A Report renders as a terminal summary (WriteText), JSON (WriteJSON),
// JUnit XML (WriteJUnit) and one self-contained HTML page (WriteHTML).
package contract
