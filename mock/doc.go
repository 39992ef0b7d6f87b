// Package mock is a fake Qumulo cluster: an HTTP server that answers any
// OpenAPI 3.0 document the way a cluster would, so contract tests, client
// tests and users' own tests need no cluster.
//
// Two layers share one server. Operations qapi knows (session login and the
// encryption key store) have typed handlers written on the generated strict
// server interface, with the semantics and checks of a real cluster. Every
// other operation of the document is answered by a generic, stateful,
// schema-driven engine: PUT stores, PATCH merges, GET returns the stored state
// projected onto the response schema, POST on a collection creates an item,
// DELETE removes it, and a resource never written answers a deterministic
// value generated from its schema (examples in the document win).
//
// Every request is routed and validated against the document before a
// handler sees it; errors are answered in Qumulo's shape
// ({module, error_class, description, stack, user_visible}).
//
// In a Go test, start one with mocktest.NewServer; elsewhere build a handler
// with New and serve it yourself, or use Start.
//
// Every answer leaves through Mock.ServeHTTP, and the typed and generic
// layers are chosen per operation in one table, so a fault (WithFault,
// qapi mock --fault NAME) wraps the handler without touching either layer.
package mock
