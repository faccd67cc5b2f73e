from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SimulatorConfig(AppConfig):
    name = "django_cinetpay.simulator"
    label = "cinetpay_simulator"
    verbose_name = _("CinetPay simulator")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the production guard
