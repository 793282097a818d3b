# The README's commands. Each runs the set-up first, so a fresh machine needs nothing else.
.PHONY: setup demo test bench lint deb

setup:
	@bash scripts/setup.sh

demo: setup
	@.venv/bin/kiosk demo $(ARGS)

test: setup
	@.venv/bin/ruff check app kiosk ui drivers tests bench
	@QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest -q $(ARGS)

bench: setup
	@QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench $(ARGS)

lint: setup
	@.venv/bin/ruff check app kiosk ui drivers tests bench

# The wheel and the Debian packages (hall-kiosk, hall-kiosk-screen) in dist/: packaging/build-deb.sh.
deb: setup
	@KIOSK_VENV=$(CURDIR)/.venv bash packaging/build-deb.sh
