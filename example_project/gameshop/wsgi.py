"""WSGI entry point of the example game marketplace."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gameshop.settings")

application = get_wsgi_application()
