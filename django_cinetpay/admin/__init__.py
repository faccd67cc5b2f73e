"""The admin, one module per concern; importing this package registers every ModelAdmin."""

from . import messages  # noqa: F401  (registers the messages to buyers and sellers)
from .escrows import EscrowTransactionAdmin  # noqa: F401
from .notifications import CinetPayNotificationAdmin  # noqa: F401
from .payments import CinetPayTransactionAdmin  # noqa: F401
from .payouts import PayoutRequestAdmin  # noqa: F401
from .reports import ReportAdmin  # noqa: F401  (the dashboard, its downloads and the health page)
