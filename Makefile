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

clean:
	rm -rf .build var
