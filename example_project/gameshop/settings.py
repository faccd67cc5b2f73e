"""Settings of the example game marketplace.

Everything secret or deployment-specific comes from the environment (see ``.env.example``); a ``.env``
file next to ``manage.py`` is read first. With no ``CINETPAY_API_KEY`` set, the site talks to the built-in
CinetPay simulator, served by this very project under ``/cinetpay-simulator/``, so it runs with no keys
and no internet.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from urllib.parse import urlsplit

from .env import env_bool, env_float, env_str, load_env_file

BASE_DIR = Path(__file__).resolve().parent.parent
load_env_file(BASE_DIR / ".env")

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = env_str("DJANGO_SECRET_KEY") or "gameshop-demo-only-not-secret"

# --- CinetPay --------------------------------------------------------------------------------------------

#: Which of CinetPay's APIs the site speaks: "checkout_v2" (Checkout v2 and Transfer v1) or "api" (the
#: CinetPay API, with one account per country). Either runs against the simulator.
CINETPAY_BACKEND = env_str("CINETPAY_BACKEND", "checkout_v2")
#: The simulator stands in for CinetPay until real keys are given (or CINETPAY_SIMULATOR=false).
_REAL_KEYS = env_str("CINETPAY_API_KEY") or any(name.startswith("CINETPAY_API_KEY_") for name in os.environ)
CINETPAY_SIMULATOR = env_bool("CINETPAY_SIMULATOR", not _REAL_KEYS)
#: Where CinetPay (or the simulator) sends notifications and the customer back. CinetPay itself needs a
#: public https address (a tunnel for local work); the simulator is happy with loopback.
CINETPAY_BASE_URL = env_str("CINETPAY_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

if CINETPAY_SIMULATOR:
    # The simulator checks requests against these, exactly as CinetPay checks a merchant's real keys.
    CINETPAY_API_KEY = env_str("CINETPAY_API_KEY", "simulator-api-key")
    CINETPAY_SITE_ID = env_str("CINETPAY_SITE_ID", "445160")
    CINETPAY_SECRET_KEY = env_str("CINETPAY_SECRET_KEY", "simulator-secret-key")
    CINETPAY_TRANSFER_PASSWORD = env_str("CINETPAY_TRANSFER_PASSWORD", "simulator-transfer-password")
    CINETPAY_CHECKOUT_API_URL = f"{CINETPAY_BASE_URL}/cinetpay-simulator/v2"
    CINETPAY_TRANSFER_API_URL = f"{CINETPAY_BASE_URL}/cinetpay-simulator/v1"
    CINETPAY_API_URL = f"{CINETPAY_BASE_URL}/cinetpay-simulator/api"
    CINETPAY_API_CREDENTIALS = {
        "CI": {"api_key": "sk_test_simulator-ci", "api_password": "simulator-password"}
    }
    #: Seconds before a simulated transfer is validated, as CinetPay's staff would (hours, for real).
    CINETPAY_SIMULATOR_TRANSFER_DELAY = env_float("CINETPAY_SIMULATOR_TRANSFER_DELAY", 5.0)
    CINETPAY_SIMULATOR_MERCHANT_NAME = "GameShop"
    #: Look at submitted payouts again this often (the package's default, 10 minutes, suits real CinetPay).
    CINETPAY_PAYOUT_CHECK_INTERVAL = dt.timedelta(seconds=env_float("CINETPAY_PAYOUT_CHECK_INTERVAL", 5))
# Otherwise django-cinetpay reads CINETPAY_API_KEY, CINETPAY_SITE_ID, CINETPAY_SECRET_KEY,
# CINETPAY_TRANSFER_PASSWORD and the API URLs from the environment itself (for the CinetPay API:
# CINETPAY_API_KEY_CI, CINETPAY_API_PASSWORD_CI … per country).

# The public address is a host of this site, and its forms are posted from there: behind a tunnel
# (https outside, http inside) Django must trust that origin for CSRF.
_public = urlsplit(CINETPAY_BASE_URL)
ALLOWED_HOSTS = [h for h in env_str("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
ALLOWED_HOSTS.append(_public.hostname or "")
CSRF_TRUSTED_ORIGINS = [f"{_public.scheme}://{_public.netloc}"]

#: Time the buyer has, after confirming receipt, to report a problem before the seller is paid.
#: Short in the demo so a visitor sees the payout; the package's default (and the seed guide's) is 24 hours.
CINETPAY_ESCROW_SECURITY_PERIOD = dt.timedelta(seconds=env_float("CINETPAY_ESCROW_SECURITY_PERIOD", 120))
CINETPAY_COMMISSION_RATE = env_str("CINETPAY_COMMISSION_RATE", "0.05")
CINETPAY_ADAPTER = "marketplace.adapter.MarketplaceAdapter"

#: Seconds between two runs of the release and payout jobs by ``manage.py run_jobs`` (the demo's cron).
GAMESHOP_JOBS_INTERVAL = env_float("GAMESHOP_JOBS_INTERVAL", 5.0)
#: Show the demo accounts and their passwords on the home page.
GAMESHOP_SHOW_DEMO_ACCOUNTS = env_bool("GAMESHOP_SHOW_DEMO_ACCOUNTS", CINETPAY_SIMULATOR)

# --- Django ----------------------------------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "marketplace",  # before django_cinetpay: its templates/cinetpay/ override the package's
    "django_cinetpay",
    "django_tasks_db",  # the task queue, in this database: run by ``manage.py db_worker``
]
if CINETPAY_SIMULATOR:
    INSTALLED_APPS.append("django_cinetpay.simulator")

#: Background work (sending payouts, processing a notification CinetPay could not confirm in time) is
#: queued in the database and done by ``manage.py db_worker`` (django-tasks-db), never inside a web
#: request: a slow CinetPay holds a worker, not a page. ``scripts/demo`` starts one. Time-based jobs
#: (releases after the security period, re-checks) are cron's: ``manage.py run_jobs`` in the demo.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Messages to buyers and sellers (django-cinetpay): the demo prints them on its console, and staff read
# them in the admin ("Messages").
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = "GameShop <noreply@gameshop.example>"
CINETPAY_SMS_BACKEND = "django_cinetpay.sms.backends.console.SmsBackend"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "marketplace.middleware.SiteLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "gameshop.urls"
WSGI_APPLICATION = "gameshop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "marketplace.context_processors.marketplace",
            ]
        },
    }
]

if env_str("GAMESHOP_POSTGRES_DB"):
    # Production: PostgreSQL (rows locked with SKIP LOCKED, so several workers share the jobs). Host,
    # port, user and password come from libpq's own PGHOST, PGPORT, PGUSER and PGPASSWORD.
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": env_str("GAMESHOP_POSTGRES_DB"),
            "CONN_MAX_AGE": 60,
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("GAMESHOP_DATABASE") or BASE_DIR / "db.sqlite3",
            # The site, the task worker and the job runner share the file. WAL lets them read while one
            # writes; IMMEDIATE takes the write lock when a transaction starts, so one that read first
            # waits its turn (up to ``timeout`` seconds) rather than failing with "database is locked".
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "marketplace:home"
LOGOUT_REDIRECT_URL = "marketplace:home"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
USE_I18N = True
TIME_ZONE = "Africa/Abidjan"
USE_TZ = True

STATIC_URL = "static/"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django_cinetpay": {"handlers": ["console"], "level": "INFO"}},
}
