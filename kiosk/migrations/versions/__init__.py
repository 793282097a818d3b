"""The revisions (Alembic skips this file; it makes the folder a package, so the revisions ship
inside the wheel)."""
