# One entry point per job; README and .ci/run call these targets.
GO ?= go
CORPUS ?= ../shared/corpus

.PHONY: test lint generate bench contract node_modules fmt-check

## test: vet, race-enabled tests (with the staleness check of api.yaml and gen/, and corpus conformance when $(CORPUS) exists)
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

## lint: gofmt, go mod tidy check, staticcheck, and Spectral (spectral:oas) on api.yaml with zero errors and zero warnings
lint: node_modules fmt-check
	$(GO) run $(STATICCHECK) ./...
	npx --no-install spectral lint --fail-severity=warn api.yaml

fmt-check:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*'))" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	@$(GO) mod tidy -diff || { echo "go mod tidy changes go.mod/go.sum (diff above)"; exit 1; }

node_modules: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch node_modules

## contract: the contract suite against the embedded mock (or QUMULO_URL), with reports in reports/
contract:
	@mkdir -p reports
	$(GO) run ./cmd/qapi contract --junit reports/contract.xml --json reports/contract.json --html reports/contract.html $(CONTRACT_FLAGS)
	@echo "reports: reports/contract.html reports/contract.xml reports/contract.json"

## generate: rebuild api.yaml and gen/ from docs/ and overlays/
generate:
	$(GO) generate ./...

## bench: benchmarks, ratios side by side, written to bench/RESULTS.md
bench:
	$(GO) run ./bench -corpus $(CORPUS) -o bench/RESULTS.md $(BENCH_FLAGS)
