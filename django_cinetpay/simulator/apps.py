from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SimulatorConfig(AppConfig):
    name = "django_cinetpay.simulator"
    label = "cinetpay_simulator"
    verbose_name = _("CinetPay simulator")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the production guard, and with it the CINETPAY_SIMULATOR_* defaults: they must land
        # on the settings now, not inside a test's override_settings that would drop them afterwards.
        from . import checks  # noqa: F401
