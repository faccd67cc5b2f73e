"""Settings of the tutorial's shop: ``django-admin startproject shop .``, then the tutorial's additions.

Development settings only (``DEBUG = True``, a secret key in the file, the CinetPay simulator installed):
the how-to *Go live with CinetPay* says what changes for real customers.
"""

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = "django-insecure-tutorial-only"
DEBUG = True
ALLOWED_HOSTS = []

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "market",  # before django_cinetpay: its templates/cinetpay/ override the package's
    "django_cinetpay",  # payments, escrow and payouts (app label "cinetpay")
    "django_cinetpay.simulator",  # a fake CinetPay, for development only
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "shop.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "shop.wsgi.application"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BASE_DIR / "db.sqlite3",
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "Africa/Abidjan"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGIN_REDIRECT_URL = "/"
# The messages django-cinetpay sends buyers and sellers are printed where runserver runs.
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- CinetPay, played by the simulator this project serves itself ------------------------------------

# Where CinetPay sends notifications and the buyer back: this site's public address.
CINETPAY_BASE_URL = os.environ.get("CINETPAY_BASE_URL", "http://127.0.0.1:8000")

# The simulator checks these exactly as CinetPay checks a merchant's real keys.
CINETPAY_API_KEY = "tutorial-api-key"
CINETPAY_SITE_ID = "123456"
CINETPAY_SECRET_KEY = "tutorial-secret-key"  # signs the notifications
CINETPAY_TRANSFER_PASSWORD = "tutorial-transfer-password"  # payouts to sellers
CINETPAY_CHECKOUT_API_URL = f"{CINETPAY_BASE_URL}/cinetpay-simulator/v2"
CINETPAY_TRANSFER_API_URL = f"{CINETPAY_BASE_URL}/cinetpay-simulator/v1"

# The newer CinetPay API, used when CINETPAY_BACKEND = "api": one account per country.
CINETPAY_API_URL = f"{CINETPAY_BASE_URL}/cinetpay-simulator/api"
CINETPAY_API_CREDENTIALS = {"CI": {"api_key": "sk_test_tutorial", "api_password": "tutorial"}}

# Where sellers are paid: see market/adapter.py.
CINETPAY_ADAPTER = "market.adapter.ShopAdapter"
# How long the buyer may still report a problem after confirming receipt: 24 hours by default,
# a few seconds here so that you see the seller paid.
CINETPAY_ESCROW_SECURITY_PERIOD = timedelta(seconds=5)
# --- end of CinetPay ----------------------------------------------------------------------------------
