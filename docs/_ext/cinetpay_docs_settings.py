"""The Django settings the documentation build runs with, so autodoc and the reference can import the
package. Only what importing needs: no database is touched, and every ``CINETPAY_*`` setting keeps its
default, which is what the reference shows.
"""

SECRET_KEY = "docs-build-only"
USE_TZ = True
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django_cinetpay",
    "django_cinetpay.simulator",
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
