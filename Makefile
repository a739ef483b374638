# Quick start: `make run` builds searchd and search, installs them into $(PREFIX)/bin and
# starts searchd in the foreground on the built-in defaults (it indexes ./seeds).
# `make test` runs the whole test suite (what .ci/run runs).

PREFIX ?= $(if $(filter 0,$(shell id -u)),/usr/local,$(HOME)/.local)
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: run test build install install-user install-system completions manuals deps clean

run: install
	@case ":$$PATH:" in *":$(PREFIX)/bin:"*) ;; *) echo "note: add $(PREFIX)/bin to PATH to run 'search'";; esac
	exec $(PREFIX)/bin/searchd

install: build
	install -d $(PREFIX)/bin
	install -m 755 .build/release/searchd .build/release/search $(PREFIX)/bin/
	@$(MAKE) --no-print-directory completions manuals DEST=$(PREFIX)/share

# Shell completions (swift-argument-parser writes them) and man pages (its generate-manual
# plugin), under $(DEST): bash-completion, zsh and fish find them there, man too.
completions:
	install -d $(DEST)/bash-completion/completions $(DEST)/zsh/site-functions $(DEST)/fish/vendor_completions.d
	for cmd in search searchd; do \
	  .build/release/$$cmd --generate-completion-script bash > $(DEST)/bash-completion/completions/$$cmd; \
	  .build/release/$$cmd --generate-completion-script zsh > $(DEST)/zsh/site-functions/_$$cmd; \
	  .build/release/$$cmd --generate-completion-script fish > $(DEST)/fish/vendor_completions.d/$$cmd.fish; \
	done

manuals:
	@swift package --allow-writing-to-package-directory generate-manual >/dev/null 2>&1 \
	  && install -d $(DEST)/man/man1 \
	  && install -m 644 .build/plugins/GenerateManual/outputs/search/search.1 .build/plugins/GenerateManual/outputs/searchd/searchd.1 $(DEST)/man/man1/ \
	  || echo "note: man pages not generated (swift package generate-manual failed); searchd --help and search --help say the same"

# searchd for one user under systemd --user (see Docs/OPERATIONS.md).
install-user: build
	install -d $(HOME)/.local/bin $(HOME)/.config/systemd/user
	install -m 755 .build/release/searchd .build/release/search $(HOME)/.local/bin/
	@$(MAKE) --no-print-directory completions manuals DEST=$(HOME)/.local/share
	install -m 644 systemd/user/searchd.service systemd/user/searchd.socket $(HOME)/.config/systemd/user/
	systemctl --user daemon-reload 2>/dev/null || true
	@echo "now: systemctl --user enable --now searchd.socket searchd.service"

# The system service: user and group searchd, /etc/searchd, units (run as root).
install-system: build
	install -m 755 .build/release/searchd .build/release/search /usr/local/bin/
	@$(MAKE) --no-print-directory completions manuals DEST=/usr/local/share
	getent group searchd >/dev/null || groupadd --system searchd
	getent passwd searchd >/dev/null || useradd --system --gid searchd --home-dir /var/lib/searchd --shell /usr/sbin/nologin searchd
	install -d -m 755 /etc/searchd
	test -e /etc/searchd/searchd.toml || install -m 644 systemd/searchd.toml /etc/searchd/searchd.toml
	test -e /etc/searchd/synonyms.txt || install -m 644 config/synonyms.txt /etc/searchd/synonyms.txt
	install -m 644 systemd/searchd.service systemd/searchd.socket /etc/systemd/system/
	install -m 644 systemd/60-searchd-latency.rules /etc/udev/rules.d/
	udevadm trigger --sysname-match=cpu_dma_latency 2>/dev/null || true
	systemctl daemon-reload 2>/dev/null || true
	@echo "now: systemctl enable --now searchd.socket searchd.service"

# The Swift runtime and Foundation linked in (--static-swift-stdlib): a program then starts
# 10 ms sooner (a dozen shared Swift libraries were loaded and bound at every start; an empty
# `searchd index` took 36–44 ms, now 26–29), which every `search` and a socket-activated
# searchd pay. The binaries still use the system's libicu and libc.
build: deps
	swift build -c release --static-swift-stdlib

test: deps
	swift test

# The system ICU (libicu-dev) is the only C library searchd needs.
deps:
	@pkg-config --exists icu-uc 2>/dev/null || { \
	  echo "installing libicu-dev (the system ICU)"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libicu-dev pkg-config; }

clean:
	rm -rf .build
