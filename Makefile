# pcctl's Makefile (GNU make). `make` alone lists the targets.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules

GO       ?= go
GOFMT    ?= gofmt
BIN_DIR  := bin
PCCTL    := $(BIN_DIR)/pcctl
PKG      := github.com/pcctl/pcctl
DEMO_DIR ?= $(BIN_DIR)/demo
BENCH_ARGS ?=
FUZZTIME ?= 10s

# Version stamped into the binary (see internal/buildinfo); `go run` and `go install`
# fall back to the module and VCS information Go records.
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
DATE    := $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS := -s -w \
	-X $(PKG)/internal/buildinfo.Version=$(VERSION) \
	-X $(PKG)/internal/buildinfo.Commit=$(COMMIT) \
	-X $(PKG)/internal/buildinfo.Date=$(DATE)

# Date in the man pages' footer: the last commit's, so the pages are the same on rebuilds.
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null)
MAN_DIR := man

# Tools installed from the Go module proxy into bin/tools on first use, one folder per
# version (so bumping a version here installs the new one). Override with GORELEASER=PATH,
# GOLANGCI_LINT=PATH to use an installed one (a full path: make needs the file).
TOOLS_DIR             := $(CURDIR)/$(BIN_DIR)/tools
GORELEASER_VERSION    := v2.16.0
GOLANGCI_LINT_VERSION := v2.15.0
GORELEASER            ?= $(TOOLS_DIR)/goreleaser-$(GORELEASER_VERSION)/goreleaser
GOLANGCI_LINT         ?= $(TOOLS_DIR)/golangci-lint-$(GOLANGCI_LINT_VERSION)/golangci-lint

# Go files gofmt checks: everything but test fixtures.
GOFILES = $(shell find . -name '*.go' -not -path './.git/*' -not -path '*/testdata/*' -not -path './$(BIN_DIR)/*')

.PHONY: help build test lint golangci-lint fmt-check vet tidy-check demo bench fuzz completions manpages docs \
	release-check snapshot clean

help: ## List the targets
	@echo 'Usage: make TARGET'
	@echo
	@awk 'BEGIN {FS = ":.*## "} /^[a-z][a-z-]*:.*## / {printf "  %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo
	@echo 'Variables: BENCH_ARGS (passed to pcctl-bench), DEMO_DIR (default $(DEMO_DIR)), FUZZTIME (default $(FUZZTIME)), GO'

build: ## Build bin/pcctl (static, version from git)
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(PCCTL) ./cmd/pcctl

test: fmt-check vet ## Run every test with the race detector, go vet and the gofmt check (what CI runs)
	CGO_ENABLED=1 $(GO) test -race -timeout 30m ./...

lint: fmt-check vet tidy-check golangci-lint ## gofmt check, go vet, go mod tidy check and golangci-lint (.golangci.yml)

golangci-lint: $(GOLANGCI_LINT) ## Run golangci-lint (installed into bin/tools when missing)
	$(GOLANGCI_LINT) run ./...

tidy-check: ## Fail if `go mod tidy` would change go.mod or go.sum
	@$(GO) mod tidy -diff || { echo 'go.mod/go.sum are not tidy: run go mod tidy'; exit 1; }

fmt-check: ## Fail if gofmt would change a file
	@files="$$($(GOFMT) -l $(GOFILES))"; \
	if [[ -n "$$files" ]]; then echo "gofmt needed on:"; echo "$$files"; echo "Run: gofmt -w <file>"; exit 1; fi

vet: ## Run go vet
	$(GO) vet ./...

demo: build ## Build pcctl and tour its commands on a fresh demo workspace (testdata/demo)
	@[[ -n '$(DEMO_DIR)' && '$(DEMO_DIR)' != / ]] || { echo 'DEMO_DIR must name a folder of its own' >&2; exit 2; }
	@rm -rf '$(DEMO_DIR)' && mkdir -p '$(DEMO_DIR)'
	@PCCTL_BIN='$(CURDIR)/$(BIN_DIR)' DEMO_DIR='$(DEMO_DIR)' bash testdata/demo/tour.sh

bench: ## Run the benchmarks: go run ./cmd/pcctl-bench with BENCH_ARGS
	@command -v sqlite3 >/dev/null || { echo "make bench: installing sqlite3 (the reference it measures against)"; apt-get update -qq && apt-get install -y -qq sqlite3; }
	$(GO) run ./cmd/pcctl-bench -write $(BENCH_ARGS)

# Fuzz targets `make fuzz` runs, one after another, each for FUZZTIME: PACKAGE:TARGET.
# Their seed corpora (f.Add and each package's testdata/fuzz/) run with every `go test`.
FUZZ_TARGETS := \
	csvread:FuzzReadMatchesEncodingCSV \
	customercsv:FuzzReader \
	psc:FuzzRead \
	psc:FuzzParseAmount \
	psc:FuzzParseDate \
	psc:FuzzLoadMapping \
	migrate:FuzzMapDeals \
	domain:FuzzParseDomain \
	domain:FuzzParseCountry \
	domain:FuzzParseTenantID \
	domain:FuzzParseMPNID \
	domain:FuzzParseEmail \
	domain:FuzzParseAmount \
	domain:FuzzParseCurrency \
	domain:FuzzParseSolution \
	domain:FuzzFold \
	domain:FuzzSearchKeys \
	domain:FuzzNormalizeCustomer \
	domain:FuzzOrgKey \
	domain:FuzzSplitProducts \
	output:FuzzAppendJSONString \
	output:FuzzAppendCSV \
	server:FuzzRequests

fuzz: ## Run every fuzz target for FUZZTIME (default 10s) each; a crash is saved under testdata/fuzz/
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t#*:}; \
		echo "== $$name (./internal/$$pkg, $(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 200x ./internal/$$pkg/ || exit 1; \
	done

completions: build ## Regenerate the shell completions in completions/ from bin/pcctl
	@mkdir -p completions
	$(PCCTL) completion bash > completions/pcctl.bash.tmp && mv completions/pcctl.bash.tmp completions/pcctl.bash
	$(PCCTL) completion zsh > completions/_pcctl.tmp && mv completions/_pcctl.tmp completions/_pcctl
	$(PCCTL) completion fish > completions/pcctl.fish.tmp && mv completions/pcctl.fish.tmp completions/pcctl.fish
	$(PCCTL) completion powershell > completions/pcctl.ps1.tmp && mv completions/pcctl.ps1.tmp completions/pcctl.ps1

manpages: ## Generate the man pages (section 1, one per command) into man/
	@[[ -n '$(MAN_DIR)' && '$(MAN_DIR)' != / ]] || { echo 'MAN_DIR must name a folder of its own' >&2; exit 2; }
	rm -rf '$(MAN_DIR)'
	SOURCE_DATE_EPOCH='$(SOURCE_DATE_EPOCH)' $(GO) run ./cmd/pcctl-docs -dir '$(MAN_DIR)' -version '$(VERSION)'

docs: ## Regenerate the markdown command reference in docs/commands/ from the command tree
	rm -rf docs/commands
	$(GO) run ./cmd/pcctl-docs -markdown docs/commands

release-check: $(GORELEASER) ## Validate .goreleaser.yaml (goreleaser check)
	$(GORELEASER) check

snapshot: $(GORELEASER) ## Build a local snapshot release of every platform into dist/ (goreleaser)
	$(GORELEASER) release --snapshot --clean

$(TOOLS_DIR)/goreleaser-%/goreleaser:
	GOBIN='$(@D)' GOFLAGS= $(GO) install github.com/goreleaser/goreleaser/v2@$*

$(TOOLS_DIR)/golangci-lint-%/golangci-lint:
	GOBIN='$(@D)' GOFLAGS= $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$*

clean: ## Remove build outputs (bin/ with the demo workspace and bin/tools, dist/, man/)
	rm -rf $(BIN_DIR) dist $(MAN_DIR) coverage.out
