// Package mock is a twin of a Qumulo cluster: an HTTP server that answers
// any OpenAPI 3.0 document the way a cluster would, so contract tests,
// client tests and users' own tests need no cluster.
//
// Three layers share one server. Operations whose requests and answers are
// best said in gen's types have typed handlers written on the generated
// strict server interface: session login, the encryption key store, the
// version, tree-delete jobs and S3 access-key creation (whose secret is in
// that answer only). Resource families have modules, each in a file of its
// own (files.go, jobs.go, identity.go, shares.go, s3.go, quotas.go,
// cluster.go): data about their collections (which fields name an item
// besides its id, which must be unique, the error a missing or duplicate
// item answers, what a fresh cluster has) and small handlers for what the
// schemas cannot describe (a file system, quota usage, who is logged in).
// Every other operation is answered by a generic, stateful, schema-driven
// engine. The typed handlers of a family act on the engine's store, under
// its lock: an access key created typed is listed and deleted by the
// engine.
//
// The engine keeps what clients write: PUT stores, PATCH merges, POST on a
// collection creates an item under a new id (or the name the client gives
// it), DELETE removes it. Items are addressed by id or natural key ({ref}
// takes an export's path or a share's name), v1, v2 and v3 of an endpoint
// are views of one set of objects, lists are in key order and page with
// after and limit (on past an item deleted between two pages), and an item
// never created answers 404 with its family's error class. Settings
// and status documents never written answer values generated from their
// schemas, in the forms a cluster uses (decimal ids, RFC 3339 times),
// deterministic per seed; examples in the document win. Modules and the
// engine key on path templates without their version, never on operation
// or schema names.
//
// Every request is routed, authenticated, held to the privilege its
// operation needs (privileges.go) and validated against the document before
// a handler sees it; errors are answered in Qumulo's shape ({module,
// error_class, description, stack, user_visible}) from one table of kinds.
// If-Match compares entity tags as RFC 9110 does, quoted or not.
//
// A Mock is an http.Handler, and every way of serving it answers alike:
// httptest.NewServer(m), Start, mocktest, or m.ServeHTTP called directly.
// Mock.ServeHTTP applies the test's reactions (React) first, then the twin
// behind its fault, if WithFault chose one; the typed and generic layers
// are chosen per operation in one table, so neither knows of faults.
//
// In a Go test, mocktest.New gives each test a fresh twin on loopback with
// a logged-in client; a test seeds and inspects the twin with Seed, Get and
// the file-system helpers (MkdirAll, WriteFile, ReadFile, Files), makes an
// operation fail, stall or drop its connection with React, finishes or
// fails jobs with FinishJob and FailJob (WithHeldJobs), and sets the time
// with WithClock. What a mock works out from its document (the router, the
// engine's plans) is built once per document and shared, so a fresh twin
// costs a fraction of a millisecond after the first; the document must not
// change once served.
package mock
