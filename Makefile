# Quick start: `make run` builds searchd and search, installs them into $(PREFIX)/bin and
# starts searchd in the foreground on the built-in defaults (it indexes ./seeds).
# `make test` runs the whole test suite (what .ci/run runs).

PREFIX ?= $(if $(filter 0,$(shell id -u)),/usr/local,$(HOME)/.local)
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: run test build install deps clean

run: install
	@case ":$$PATH:" in *":$(PREFIX)/bin:"*) ;; *) echo "note: add $(PREFIX)/bin to PATH to run 'search'";; esac
	exec $(PREFIX)/bin/searchd

install: build
	install -d $(PREFIX)/bin
	install -m 755 .build/release/searchd .build/release/search $(PREFIX)/bin/

build: deps
	swift build -c release

test: deps
	swift test

# The system ICU (libicu-dev) is the only C library searchd needs.
deps:
	@pkg-config --exists icu-uc 2>/dev/null || { \
	  echo "installing libicu-dev (the system ICU)"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libicu-dev pkg-config; }

clean:
	rm -rf .build
