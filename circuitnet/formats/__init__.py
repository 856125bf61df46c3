"""Files from outside: model files, data tables, and imported netlists (parsed against an
allow-list and re-emitted, never passed through)."""
