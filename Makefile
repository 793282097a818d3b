# The README's commands. Each runs the set-up first, so a fresh machine needs nothing else.
.PHONY: setup demo test bench lint

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
