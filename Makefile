# The two commands of the README: `make demo` and `make test`. Both install missing Debian packages first.
SWIFT ?= swift
CECERT = .build/release/cecert
DEMO_STORE = var/cecert.sqlite
LISTEN ?= 127.0.0.1:8080

.PHONY: deps test-deps build demo test faults bench clean

deps:
	scripts/install-deps.sh build

test-deps:
	scripts/install-deps.sh test

build: deps
	$(SWIFT) build -c release --product cecert

# Imports the bundled sample, issues its certificates, prints one verification URL and serves.
demo: build
	$(CECERT) import demo/applications.sample.jsonl --store $(DEMO_STORE) || [ $$? -eq 3 ]
	$(CECERT) issue --store $(DEMO_STORE) --base-url http://$(LISTEN)
	@echo "Scan any PDF in var/certificates/, or open this certificate's page:"
	$(CECERT) certificates --store $(DEMO_STORE) --limit 1
	$(CECERT) serve --store $(DEMO_STORE) --listen $(LISTEN)

test: deps test-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --parallel --num-workers 2
	CECERT=.build/debug/cecert python3 scripts/faults.py --fast

# The ReportLab program the issuance benchmark compares against, and a virtual environment for it.
PEER_DIR ?= $(CURDIR)/../shared/bench/peer-reportlab
PEER_VENV ?= $(CURDIR)/.build/peer-venv

# Fault tests on the release binary: kill -9 during a 2,000-certificate batch, two issuers at once, a full
# 2 MiB tmpfs (needs root to mount), broken start-up files and 10,000 hostile HTTP requests on 127.0.0.1.
faults: build test-deps
	$(SWIFT) test --filter FaultStartupTests
	CECERT=$(CECERT) python3 scripts/faults.py

# Issuance against the ReportLab program, scale to 20,000 certificates and wrk against the verify server.
# Prints every figure beside its target; record a run's figures in docs/benchmarks.md by hand.
bench: build
	scripts/install-deps.sh bench
	[ -x $(PEER_VENV)/bin/python ] || python3 -m venv $(PEER_VENV)
	$(PEER_VENV)/bin/pip install -q -r $(PEER_DIR)/requirements.txt
	CECERT=$(CECERT) PEER_DIR=$(PEER_DIR) PEER_PYTHON=$(PEER_VENV)/bin/python python3 bench/bench.py

clean:
	rm -rf .build var
