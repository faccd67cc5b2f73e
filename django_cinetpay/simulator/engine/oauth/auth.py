"""``POST /v1/oauth/login`` and the Bearer token every other endpoint takes.

A login with a country account's ``api_key`` and ``api_password`` answers a JWT (HS256, its payload naming
the account's country) valid :data:`~.vocabulary.TOKEN_LIFETIME`. The simulator keeps only the token's
SHA-256 digest, with the time it was issued, in the store's sessions; a token it never issued is 1002
INVALID_TOKEN, one past its lifetime 1003 EXPIRED_TOKEN, on which CinetPay's SDK logs in again once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets

from ..context import Account, Context
from ..messages import ApiRequest, Reply
from .base import Refusal, answer, body_of
from .vocabulary import TOKEN_LIFETIME


def _segment(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsegment(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def digest(token: str) -> str:
    """What the store keeps of a token (it never holds a usable one)."""
    return hashlib.sha256(token.encode()).hexdigest()


class Auth:
    """Issues and checks the OAuth API's tokens."""

    def __init__(self, context: Context) -> None:
        self.context = context

    def login(self, request: ApiRequest) -> Reply:
        body = body_of(request)
        api_key, api_password = body.get("api_key"), body.get("api_password")
        if (
            not isinstance(api_key, str)
            or not isinstance(api_password, str)
            or not api_key
            or not api_password
        ):
            raise Refusal(1004, "api_key and api_password are required.")
        account = self.context.credentials.account(api_key, api_password)
        if account is None:
            raise Refusal(1005, "Incorrect api_key or api_password.")
        token = self._issue(account)
        lifetime = int(TOKEN_LIFETIME.total_seconds())
        return answer(200, access_token=token, token_type="Bearer", expires_in=lifetime)

    def _issue(self, account: Account) -> str:
        now = self.context.clock()
        issued = int(now.timestamp())
        header = {"alg": "HS256", "typ": "JWT"}
        claims = {
            "country": account.country,
            "iat": issued,
            "exp": issued + int(TOKEN_LIFETIME.total_seconds()),
            "jti": secrets.token_hex(8),
        }
        signing_input = ".".join(_segment(json.dumps(part).encode()) for part in (header, claims))
        signature = hmac.new(account.api_password.encode(), signing_input.encode(), hashlib.sha256).digest()
        token = f"{signing_input}.{_segment(signature)}"
        self.context.store.add_session(digest(token), now)
        return token

    def authenticate(self, request: ApiRequest) -> Account:
        """The account whose Bearer token the request carries; 1002 or 1003 otherwise."""
        scheme, _, token = request.header("Authorization").partition(" ")
        issued_at = (
            self.context.store.session_issued_at(digest(token)) if scheme == "Bearer" and token else None
        )
        if issued_at is None:
            raise Refusal(1002, "The token is missing or invalid; log in again.")
        if self.context.clock() >= issued_at + TOKEN_LIFETIME:
            raise Refusal(1003, "The token has expired; log in again.")
        country = json.loads(_unsegment(token.split(".")[1]))["country"]
        account = next((a for a in self.context.credentials.accounts if a.country == country), None)
        if account is None:  # the account was removed from the settings since the login
            raise Refusal(1002, "The token's account no longer exists; log in again.")
        return account
