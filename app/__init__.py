"""The programs: the ``kiosk`` command and the wiring of core, drivers and screens.

This is the one layer that sees everything. ``kiosk/`` (the Qt-free core) and ``drivers/`` never
import it, nor ``ui/``; ``ui/`` never imports it either. What a program runs is built here, once,
and the tests, the demo and the benchmarks build it the same way.
"""
