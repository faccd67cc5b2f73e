"""Signals sent by django-cinetpay. Each is sent once per event, after the database commit.

``sender`` is the model class of the object concerned. Receivers run after commit, so an exception in a
receiver never rolls back a payment. It is logged with its traceback (``django.dispatch`` logger) and never
stops the others: the other receivers of the signal, the other signals of the same commit (every escrow
of a release batch) and the payout sends queued with them all still run, and the caller gets no error.
"""

from django.dispatch import Signal

#: A payment was confirmed as paid by CinetPay's check endpoint (amount and currency matched).
#: Arguments: ``transaction`` (CinetPayTransaction).
payment_accepted = Signal()

#: A payment ended without being paid (refused, cancelled or expired). Sent once, on the first failure,
#: and only while the payment is still failed when the signal goes out. CinetPay lets a customer pay
#: again on the same checkout, so ``payment_accepted`` may follow it; it never comes after
#: ``payment_accepted`` (a refusal overtaken by the acceptance is not sent at all).
#: Arguments: ``transaction`` (CinetPayTransaction, freshly read), ``status`` (str), ``code`` (CinetPay's
#: code of the first failure, str).
payment_refused = Signal()

#: CinetPay accepted a payment for an order another payment had already paid (the buyer paid twice,
#: e.g. on an old checkout page). ``payment_accepted`` is *not* sent for it: its money goes back to its
#: payer (``escrow_refunded`` follows) or waits for staff, by ``CINETPAY_DUPLICATE_PAYMENT_ACTION``.
#: Arguments: ``transaction`` (the duplicate CinetPayTransaction), ``original`` (the one that paid first).
payment_duplicated = Signal()

#: The buyer confirmed receipt, or the buyer stayed silent past ``CINETPAY_ESCROW_AUTO_CONFIRM_AFTER`` and the
#: release job confirmed for them: the security period starts (``escrow.release_due_at``). With no security
#: period, ``escrow_released`` follows in the same commit.
#: Arguments: ``escrow`` (EscrowTransaction), ``automatic`` (bool: confirmed by the job, not the buyer).
escrow_confirmed = Signal()

#: Escrowed money was released to the seller (a payout follows). ``escrow.disputed_at`` is set when the
#: release resolved a dispute.
#: Arguments: ``escrow`` (EscrowTransaction), ``payout`` (PayoutRequest).
escrow_released = Signal()

#: The buyer opened a dispute on an escrow.
#: Arguments: ``escrow`` (EscrowTransaction), ``reason`` (str), ``user``.
escrow_disputed = Signal()

#: Escrowed money goes back to the buyer (a refund payout follows). ``escrow.disputed_at`` is set when the
#: refund resolved a dispute.
#: Arguments: ``escrow`` (EscrowTransaction), ``payout`` (PayoutRequest).
escrow_refunded = Signal()

#: CinetPay confirmed a transfer (seller payout or buyer refund) as done.
#: Arguments: ``payout`` (PayoutRequest).
payout_completed = Signal()

#: A transfer was rejected or could not be sent.
#: Arguments: ``payout`` (PayoutRequest), ``code`` (str), ``message`` (str).
payout_failed = Signal()
