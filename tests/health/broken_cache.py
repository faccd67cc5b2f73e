"""A cache backend whose server is down: every call raises."""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.base import BaseCache


class BrokenCache(BaseCache):
    def __init__(self, location: str, params: dict[str, Any]) -> None:
        super().__init__(params)

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        raise ConnectionError("cache server down")

    def set(self, key: str, value: Any, timeout: Any = None, version: int | None = None) -> None:
        raise ConnectionError("cache server down")
