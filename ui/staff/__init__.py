"""Guide-staff mode and technician settings on the kiosk (PIN or staff card, audited actions).

``entry.attach(kiosk_window, services)`` wires them into the citizen window; every panel is a
standalone widget over a ``StaffController`` so it can be tested and shown without that window.
"""
