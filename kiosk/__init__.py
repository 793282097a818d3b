"""Hall kiosk: the Qt-free core (domain, store, hall engine and server, client, config, CLI)."""

__version__ = "0.1.0"
