"""Settings of the package's own test suite.

SQLite by default. ``CINETPAY_TEST_POSTGRES=1`` switches to PostgreSQL (``PGHOST``/``PGPORT``/``PGUSER``/
``PGDATABASE``, default 127.0.0.1:5432, postgres, test); tests marked ``postgres`` then run, and fail if
PostgreSQL cannot be reached.
"""

import os

import django

SECRET_KEY = "tests-only-not-secret"
DEBUG = False
USE_TZ = True
TIME_ZONE = "Africa/Abidjan"
LANGUAGE_CODE = "en"  # assertions read English; tests/payments/test_i18n.py checks French
LANGUAGES = [("fr", "Français"), ("en", "English")]
USE_I18N = True
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "tests.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django_cinetpay",
    "django_cinetpay.simulator",
    "django_tasks_db",  # the database task backend, run for real by tests/escrow/test_workers.py
    "tests.testapp",
]

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

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
            ]
        },
    }
]

if os.environ.get("CINETPAY_TEST_POSTGRES") == "1":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": os.environ.get("PGHOST", "127.0.0.1"),
            "PORT": os.environ.get("PGPORT", "5432"),
            "USER": os.environ.get("PGUSER", "postgres"),
            "PASSWORD": os.environ.get("PGPASSWORD", ""),
            "NAME": os.environ.get("PGDATABASE", "test"),
            "TEST": {"NAME": os.environ.get("CINETPAY_TEST_DB_NAME", "test_django_cinetpay")},
        }
    }
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

CINETPAY_API_KEY = "test-api-key"
CINETPAY_SITE_ID = "123456"
CINETPAY_SECRET_KEY = "test-secret-key"
CINETPAY_TRANSFER_PASSWORD = "test-transfer-password"
CINETPAY_BASE_URL = "https://shop.example.com"
CINETPAY_CHECKOUT_API_URL = "https://api-checkout.cinetpay.test/v2"
CINETPAY_TRANSFER_API_URL = "https://client.cinetpay.test/v1"
# Messages to buyers and sellers are tested in tests/notifications, which turns them on.
CINETPAY_MESSAGE_CHANNELS = ()
CINETPAY_CHECK_BACKOFF = 0
# The simulator serves the end-to-end tests; DEBUG stays False above, so silence its production guard.
CINETPAY_SIMULATOR_ALLOW_PRODUCTION = True
# Django's live server (pytest-django's ``live_server``) needs a STATIC_URL to route requests.
STATIC_URL = "/static/"

# Tasks are recorded, not run, unless a test opts in (tests/escrow/test_full_flow.py runs them at once).
TASKS = {
    "default": {
        "BACKEND": ("django.tasks" if django.VERSION >= (6, 0) else "django_tasks")
        + ".backends.dummy.DummyBackend"
    }
}
