"""Settings of the benchmark project: the package on PostgreSQL, CinetPay on loopback, DEBUG off."""

from __future__ import annotations

import os

import django

SECRET_KEY = "benchmarks-only-not-secret"
DEBUG = False
USE_TZ = True
TIME_ZONE = "Africa/Abidjan"
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "benchmarks.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django_cinetpay",
    "tests.testapp",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
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
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": os.environ.get("PGHOST", "127.0.0.1"),
        "PORT": os.environ.get("PGPORT", "5432"),
        "USER": os.environ.get("PGUSER", "postgres"),
        "PASSWORD": os.environ.get("PGPASSWORD", ""),
        "NAME": os.environ.get("CINETPAY_BENCH_DB", "cinetpay_bench"),
        "CONN_MAX_AGE": None,
    }
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STATIC_URL = "/static/"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}

CINETPAY_API_KEY = "bench-api-key"
CINETPAY_SITE_ID = "123456"
CINETPAY_SECRET_KEY = "bench-secret-key"
CINETPAY_TRANSFER_PASSWORD = "bench-transfer-password"
CINETPAY_BASE_URL = "https://shop.example.com"
# Pointed at the loopback CinetPay by benchmarks.run before Django starts.
CINETPAY_CHECKOUT_API_URL = os.environ.get("CINETPAY_CHECKOUT_API_URL", "http://127.0.0.1:9/v2")
CINETPAY_TRANSFER_API_URL = os.environ.get("CINETPAY_TRANSFER_API_URL", "http://127.0.0.1:9/v1")
CINETPAY_CHECK_BACKOFF = 0
CINETPAY_ADAPTER = "benchmarks.adapter.BenchAdapter"
# The floors send no message to buyers and sellers, so the paths are measured without them too; what
# messages add per event is pinned by tests (tests/notifications/test_events.py).
CINETPAY_MESSAGE_CHANNELS = ()
TASKS = {
    "default": {
        "BACKEND": ("django.tasks" if django.VERSION >= (6, 0) else "django_tasks")
        + ".backends.dummy.DummyBackend"
    }
}
