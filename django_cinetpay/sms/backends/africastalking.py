"""Sends SMS through Africa's Talking, with its official SDK (``pip install django-cinetpay[sms]``).

Settings: ``CINETPAY_AFRICASTALKING_USERNAME`` (``"sandbox"`` for their sandbox) and
``CINETPAY_AFRICASTALKING_API_KEY``, both also read from the environment; ``CINETPAY_SMS_SENDER`` is the
registered sender id or short code (empty: the provider's default). ``username=``, ``api_key=`` and
``sender=`` given to ``get_connection`` override them.

Africa's Talking answers each recipient with a ``statusCode``: 100, 101 and 102 mean it took the message;
any other is a refusal, raised as :class:`~django_cinetpay.sms.SmsError` with the code and status name. A
refusal that sending again cannot cure (an invalid, unsupported or blacklisted number, a sender id it
does not know) is marked ``permanent``, so it is not retried.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ...conf import settings
from ...exceptions import CinetPayConfigurationError
from ..message import SmsError, SmsMessage
from .base import BaseSmsBackend

#: Recipient status codes that mean Africa's Talking took the message (processed, sent, queued).
ACCEPTED_CODES = frozenset({100, 101, 102})
#: Refusals that no later attempt can cure: sender id unknown, number invalid, of an unsupported type,
#: blacklisted, or refusing promotional messages.
PERMANENT_CODES = frozenset({402, 403, 404, 406, 409})


class SmsBackend(BaseSmsBackend):
    def __init__(
        self,
        fail_silently: bool = False,
        *,
        username: str | None = None,
        api_key: str | None = None,
        sender: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.username = username or settings.CINETPAY_AFRICASTALKING_USERNAME
        self.api_key = api_key or settings.CINETPAY_AFRICASTALKING_API_KEY
        self.sender = settings.CINETPAY_SMS_SENDER if sender is None else sender
        if not (self.username and self.api_key):
            raise CinetPayConfigurationError(
                "The Africa's Talking SMS backend needs CINETPAY_AFRICASTALKING_USERNAME and "
                "CINETPAY_AFRICASTALKING_API_KEY."
            )
        self._service: Any = None

    def open(self) -> bool:
        if self._service is not None:
            return False
        try:
            from africastalking.SMS import SMSService
        except ImportError as exc:
            raise CinetPayConfigurationError(
                "The Africa's Talking SMS backend needs its SDK: pip install 'django-cinetpay[sms]'."
            ) from exc
        # The service itself, not africastalking.initialize(): no process-wide state, so two backends
        # with different accounts can live side by side.
        self._service = SMSService(self.username, self.api_key)
        return True

    def close(self) -> None:
        self._service = None

    def send_messages(self, messages: Sequence[SmsMessage]) -> int:
        if not messages:
            return 0
        opened = self.open()
        sent = 0
        try:
            for message in messages:
                try:
                    self._send(message)
                except Exception:
                    if not self.fail_silently:
                        raise
                else:
                    sent += 1
        finally:
            if opened:
                self.close()
        return sent

    def _send(self, message: SmsMessage) -> None:
        from africastalking.Service import AfricasTalkingException

        sender = message.sender or self.sender or None
        try:
            answer = self._service.send(message.body, [message.to], sender_id=sender)
        except AfricasTalkingException as exc:  # an HTTP error: the body says why (bad key, bad username)
            raise SmsError(f"Africa's Talking refused the request: {str(exc)[:200]}") from exc
        except ValueError as exc:  # the SDK's own check of the number's form
            raise SmsError(str(exc), permanent=True) from exc
        recipient = _recipient(answer)
        code = _status_code(recipient.get("statusCode"))
        if code not in ACCEPTED_CODES:
            status = str(recipient.get("status") or "unknown")
            raise SmsError(
                f"Africa's Talking did not send the message: {code} {status}",
                code=str(code),
                permanent=code in PERMANENT_CODES,
            )


def _recipient(answer: object) -> dict[str, Any]:
    """The one recipient's entry of an answer (``SMSMessageData.Recipients[0]``), or :class:`SmsError`.

    The SDK returns JSON parsed only when the content type is exactly ``application/json``; otherwise the
    text, parsed here.
    """
    if isinstance(answer, (str, bytes)):
        try:
            answer = json.loads(answer)
        except ValueError as exc:
            raise SmsError("Africa's Talking answered something that is not JSON.") from exc
    data = answer.get("SMSMessageData") if isinstance(answer, dict) else None
    recipients = data.get("Recipients") if isinstance(data, dict) else None
    if not recipients or not isinstance(recipients[0], dict):
        summary = data.get("Message", "") if isinstance(data, dict) else ""
        raise SmsError(f"Africa's Talking sent to no recipient: {str(summary)[:200]}")
    return recipients[0]


def _status_code(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0
