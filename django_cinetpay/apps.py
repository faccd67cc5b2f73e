from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CinetPayConfig(AppConfig):
    name = "django_cinetpay"
    label = "cinetpay"
    verbose_name = _("CinetPay")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core.signals import setting_changed

        from . import (
            checks,  # noqa: F401 - registers the system checks
            tasks,  # noqa: F401 - registers the tasks that services enqueue by name
        )
        from .messaging import receivers

        receivers.connect()  # messages to buyers and sellers follow the package's signals
        setting_changed.connect(receivers.settings_changed, dispatch_uid="django_cinetpay.messaging")
