"""End-to-end packaging test: the built wheel, installed in a fresh virtualenv, used by a fresh project."""
