"""``python -m benchmarks [--smoke] [--only NAME ...]``: run the suite and print the results table."""

from __future__ import annotations

import argparse
import os
import sys

from .cinetpay_server import CinetPayServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one repetition: it must run")
    parser.add_argument("--only", nargs="*", default=None, help="run only these benchmarks (by name)")
    args = parser.parse_args(argv)

    server = CinetPayServer().start()
    os.environ["CINETPAY_CHECKOUT_API_URL"] = f"{server.url}/v2"
    os.environ["CINETPAY_TRANSFER_API_URL"] = f"{server.url}/v1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    from .database import prepare

    prepare()
    from .paths import BENCHMARKS, run

    names = args.only or list(BENCHMARKS)
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmarks {unknown}; choose from {sorted(BENCHMARKS)}")
    try:
        print(run(names, server, smoke=args.smoke))
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
