"""SMS backends; :mod:`.base` says what one implements."""
