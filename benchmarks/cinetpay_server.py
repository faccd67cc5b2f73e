"""CinetPay over loopback for the benchmarks: real HTTP/1.1 with keep-alive, answers in CinetPay's shapes.

Written from CINETPAY_API.md and kept to what the measured paths call: the Checkout API's check
(always ``ACCEPTED`` for the amount the benchmark registered) and the Transfer API's login, contact, send
and check. No state is shared with the package: it stands for CinetPay's servers, on 127.0.0.1 only.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class CinetPayServer(ThreadingHTTPServer):
    """The server; ``amounts`` maps a transaction id to the amount CinetPay reports as paid."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.amounts: dict[str, int] = {}
        self.default_amount = 1000
        self.calls: dict[str, int] = {}
        self.transfers: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def count(self, endpoint: str) -> None:
        with self.lock:
            self.calls[endpoint] = self.calls.get(endpoint, 0) + 1

    def start(self) -> CinetPayServer:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as CinetPay's servers
    server: CinetPayServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _answer(self, payload: object) -> None:
        body = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path = urlsplit(self.path).path
        self.server.count(path)
        if path.endswith("/payment/check"):
            self._check(json.loads(raw or b"{}"))
        elif path.endswith("/auth/login"):
            self._answer({"code": 0, "message": "OPERATION_SUCCES", "data": {"token": "bench-token"}})
        elif path.endswith("/transfer/contact"):
            self._answer(
                {"code": 0, "message": "OPERATION_SUCCES", "data": [[{"code": 0, "status": "success"}]]}
            )
        elif path.endswith("/transfer/money/send/contact"):
            self._send(parse_qs(raw.decode()))
        else:
            self._answer({"code": "404", "message": "NOT_FOUND"})

    def do_GET(self) -> None:
        path = urlsplit(self.path)
        self.server.count(path.path)
        query = parse_qs(path.query)
        cti = (query.get("client_transaction_id") or [""])[0]
        transfer = self.server.transfers.get(cti)
        if transfer is None:
            self._answer({"code": 0, "message": "OPERATION_SUCCES", "data": []})
        else:
            self._answer({"code": 0, "message": "OPERATION_SUCCES", "data": [transfer]})

    def _check(self, body: dict[str, Any]) -> None:
        transaction_id = str(body.get("transaction_id", ""))
        amount = self.server.amounts.get(transaction_id, self.server.default_amount)
        self._answer(
            {
                "code": "00",
                "message": "SUCCES",
                "data": {
                    "amount": str(amount),
                    "currency": "XOF",
                    "status": "ACCEPTED",
                    "payment_method": "OM",
                    "description": "Compte",
                    "metadata": None,
                    "operator_id": "MP220915.2257.A76307",
                    "payment_date": "2022-09-15 22:57:15",
                    "fund_availability_date": "2022-09-17 00:00:00",
                },
                "api_response_id": "1663279021.5678",
            }
        )

    def _send(self, form: dict[str, list[str]]) -> None:
        items = json.loads(form["data"][0])
        answers = []
        for item in items:
            transfer = {
                "transaction_id": "BENCH" + item["client_transaction_id"][-10:],
                "client_transaction_id": item["client_transaction_id"],
                "lot": "1",
                "amount": item["amount"],
                "receiver": item["phone"],
                "treatment_status": "NEW",
                "sending_status": "PENDING",
            }
            self.server.transfers[item["client_transaction_id"]] = transfer
            answers.append(transfer)
        self._answer({"code": 0, "message": "OPERATION_SUCCES", "data": [answers]})
