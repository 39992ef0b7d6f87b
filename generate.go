// Package qapi turns Qumulo REST API doc pages into an OpenAPI 3.0 contract
// (api.yaml), a generated Go client (gen/), and checks servers
// against that contract.
//
// Run `go generate ./...` after changing docs/, overlays/, convert/,
// internal/sdkgen or a cfg.yaml of generated code (gen/,
// mock/internal/server/); the tests fail while api.yaml or generated code
// (including the client's services, client/*.gen.go, and gen's accessors,
// gen/accessors.gen.go) is stale.
package qapi

//go:generate go run ./cmd/qapi convert docs -o api.yaml --overlay overlays
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config gen/cfg.yaml api.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config mock/internal/server/cfg.yaml api.yaml
//go:generate go run ./internal/sdkgen/cmd/sdkgen -spec api.yaml -gen gen/qapi.gen.go -out client
