# netipam build and test entry points.
#
# External components used by the integration tests (a real rqlite cluster,
# the reference CNI plugins) are built from source with the Go toolchain
# into $(TOOLS), a cache outside the work tree, and only when missing.
# Each is built into a version-named file/dir; the stable paths
# $(TOOLS)/bin/rqlited and $(TOOLS)/cni/bin are symlinks to the pinned
# version, so bumping a version below rebuilds without a manual clean.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := test

GO    ?= go
TOOLS ?= $(HOME)/.cache/netipam

# Tool builds must not see the caller's module/workspace settings.
TOOL_GOENV := GOWORK=off GOFLAGS=-buildvcs=false

# --- rqlited ----------------------------------------------------------------
# `go install github.com/rqlite/rqlite/v8/cmd/rqlited@...` cannot work: the
# rqlite module has replace directives. So build it from a throwaway module
# that requires rqlite and repeats rqlite's own replaces.
RQLITE_MODULE  := github.com/rqlite/rqlite/v8
RQLITE_VERSION ?= v8.36.0
RQLITE_REPLACE := github.com/armon/go-metrics=github.com/hashicorp/go-metrics@v0.5.1 \
                  golang.org/x/text=golang.org/x/text@v0.3.8
RQLITED_SRC    := $(TOOLS)/src/rqlited-$(RQLITE_VERSION)
RQLITED_BIN    := $(TOOLS)/bin/rqlited-$(RQLITE_VERSION)
RQLITED        := $(TOOLS)/bin/rqlited

# --- CNI reference plugins --------------------------------------------------
CNI_PLUGINS_MODULE  := github.com/containernetworking/plugins
CNI_PLUGINS_VERSION ?= v1.9.0
CNI_PLUGIN_PKGS     := plugins/main/bridge plugins/main/ptp plugins/ipam/host-local plugins/main/loopback
CNI_VER_DIR         := $(TOOLS)/cni/$(CNI_PLUGINS_VERSION)
CNI_VER_BINS        := $(addprefix $(CNI_VER_DIR)/,$(notdir $(CNI_PLUGIN_PKGS)))
CNI_BIN             := $(TOOLS)/cni/bin

# --- tests ------------------------------------------------------------------
GO_TEST_FLAGS ?= -count=1 -timeout 40m
GO_TEST_PKGS  ?= ./...
export NETIPAM_RQLITED  := $(RQLITED)
export NETIPAM_CNI_PATH := $(CNI_BIN)

.PHONY: all build demo tools rqlited cni-plugins test test-race test-unit bench clean-tools need-cc

all: test

# --- netipam ----------------------------------------------------------------
BIN := bin/netipam

# Static and stripped: a CNI runtime starts the binary once per container
# interface, and a dynamically linked one pays for the loader each time.
NETIPAM_BUILD := CGO_ENABLED=0 $(GO) build -trimpath -ldflags '-s -w'

build:
	$(NETIPAM_BUILD) -o $(BIN) .

# The 30-second tour on the embedded default (a fresh SQLite file).
demo: build
	bash testdata/demo.sh $(BIN)

tools: need-cc rqlited cni-plugins

# rqlited is built with cgo (it embeds SQLite in C): say so at once rather
# than fail deep inside a cgo build.
need-cc:
	@command -v cc >/dev/null || command -v gcc >/dev/null || { \
	  echo "make test needs a C compiler (cc or gcc): rqlited, used by the cluster tests, is built with cgo. Install one (apt-get install gcc), or run make test-unit (Go only)." >&2; \
	  exit 1; }

rqlited: need-cc $(RQLITED)

$(RQLITED): $(RQLITED_BIN)
	ln -sfn $(notdir $<) $@

$(RQLITED_BIN):
	@echo ">> building rqlited $(RQLITE_VERSION) (cgo, takes a minute or two)"
	rm -rf $(RQLITED_SRC) && mkdir -p $(RQLITED_SRC) $(@D)
	cd $(RQLITED_SRC) && export $(TOOL_GOENV) \
	  && $(GO) mod init netipam.local/rqlited-build \
	  && $(GO) mod edit -require=$(RQLITE_MODULE)@$(RQLITE_VERSION) \
	     $(addprefix -replace=,$(RQLITE_REPLACE)) \
	  && $(GO) get $(RQLITE_MODULE)/cmd/rqlited@$(RQLITE_VERSION) \
	  && CGO_ENABLED=1 $(GO) build -trimpath -o $@.tmp \
	     -ldflags '-X $(RQLITE_MODULE)/cmd.Version=$(RQLITE_VERSION)' \
	     $(RQLITE_MODULE)/cmd/rqlited
	mv -f $@.tmp $@
	$@ -version

cni-plugins: $(CNI_VER_BINS)
	@if [ -d $(CNI_BIN) ] && [ ! -L $(CNI_BIN) ]; then rm -rf $(CNI_BIN); fi
	@ln -sfn $(CNI_PLUGINS_VERSION) $(CNI_BIN)

$(CNI_VER_BINS) &:
	@echo ">> building CNI plugins $(CNI_PLUGINS_VERSION): $(notdir $(CNI_PLUGIN_PKGS))"
	mkdir -p $(CNI_VER_DIR)
	export $(TOOL_GOENV) && GOBIN=$(CNI_VER_DIR) CGO_ENABLED=0 \
	  $(GO) install $(foreach p,$(CNI_PLUGIN_PKGS),$(CNI_PLUGINS_MODULE)/$(p)@$(CNI_PLUGINS_VERSION))

clean-tools:
	rm -rf $(TOOLS)

# The race detector needs cgo (need-cc): it runs on the packages with
# goroutines of their own, the daemon, the store and the allocator.
RACE_PKGS ?= ./server/ ./ipam/... ./store/ ./alloc/

test: need-cc tools
	$(GO) test $(GO_TEST_FLAGS) $(GO_TEST_PKGS)
	CGO_ENABLED=1 $(GO) test -race -short -count=1 $(RACE_PKGS)

# The race run of make test alone.
test-race: need-cc
	CGO_ENABLED=1 $(GO) test -race -short -count=1 $(RACE_PKGS)

# The fast set: unit and whole-binary tests, no rqlited, no CNI plugins, no
# root; integration tests skip under -short. Needs only Go.
test-unit:
	$(GO) test -short -count=1 $(GO_TEST_PKGS)

# Benchmarks, each beside a reference measured in the same run; the ratios
# (medians over the runs) are printed at the end by testdata/benchratio.awk,
# then issue 16's targets with PASS or SHORT, also written to
# bench/results.json (name, value, unit, reference, ratio, target, verdict).
BENCH_COUNT ?= 5
bench: tools
	$(GO) test -run '^$$' -bench . -benchmem -count $(BENCH_COUNT) ./alloc/ | tee bench.out
	$(GO) test -run '^$$' -bench DurableAlloc -count $(BENCH_COUNT) ./store/ | tee -a bench.out
	$(GO) test -run '^$$' -bench RqliteAllocVsRaw -benchtime 2000x -count 3 ./store/ | tee -a bench.out
	$(GO) test -run '^$$' -bench RqliteBatch -benchtime 5x -count 3 ./store/ | tee -a bench.out
	$(GO) test -run '^$$' -bench GroupCommitSQLite -benchtime 20000x -count 3 ./store/ | tee -a bench.out
	$(GO) test -run '^$$' -bench GroupWriteCost -benchtime 200x -count 3 ./store/ | tee -a bench.out
	$(GO) test -run '^$$' -bench GroupCommitRqlite -benchtime 4000x -count 3 ./store/ | tee -a bench.out
	$(GO) test -run '^$$' -bench MetricsScrape -benchtime 3x -count 3 ./server/ | tee -a bench.out
	$(GO) test -run '^$$' -bench Check1M -benchtime 1x -count 3 ./store/ | tee -a bench.out
	$(GO) test -run '^$$' -bench ServeAllocate -benchtime 2x -count 3 ./e2e/ | tee -a bench.out
	$(GO) test -run '^$$' -bench LocalAllocateExpansionCheck -benchtime 300x -count 3 ./ipam/local/ | tee -a bench.out
	$(GO) test -run '^$$' -bench EventCounts -benchtime 20x -count 3 ./store/ | tee -a bench.out
	$(GO) test -run '^$$' -bench LoadAll1M -benchtime 2x -count 3 ./store/ | tee -a bench.out
	$(GO) test -run '^$$' -bench 'CNIAdd$$' -benchtime 200x -count 3 ./e2e/ | tee -a bench.out
	$(GO) test -run '^$$' -bench CNIAddServer -benchtime 200x -count 3 ./e2e/ | tee -a bench.out
	$(GO) test -run '^$$' -bench PluginStart -benchtime 300x -count 3 ./e2e/ | tee -a bench.out
	$(GO) test -run '^$$' -bench CNIFloors -benchtime 100x -count 3 ./e2e/ | tee -a bench.out
	$(GO) test -run '^$$' -bench '1M$$' -benchtime 3x -count 3 ./cmd/ | tee -a bench.out
	$(GO) test -run '^$$' -bench Scale -benchtime 50x -count 3 ./e2e/ | tee -a bench.out
	$(GO) test -run '^$$' -bench Import10k -benchtime 3x -count 3 ./e2e/ | tee -a bench.out
	@mkdir -p bench
	@awk -v json=bench.json -v resultsfile=bench/results.json -f testdata/benchratio.awk bench.out
