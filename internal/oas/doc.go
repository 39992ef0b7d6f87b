// Package oas holds what every reader of an OpenAPI document in qapi must
// decide the same way: the values a schema accepts (generated for a request
// or a response), which fields are write-only, which a cluster answers as
// null and which a client may send as null, which arm of a union a value
// belongs to, whether an operation needs a token, which path template names
// the items of a collection, and how a request finds its operation. The
// mock, the contract suite and the exchange checks stand on it side by side.
package oas
