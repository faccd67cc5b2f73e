"""Sphinx configuration of django-cinetpay's documentation.

Build it with ``scripts/docs`` (a fresh virtualenv, warnings as errors). The reference is written from the
code by ``_ext/cinetpay_reference.py``; nothing here fetches anything from the network, so the build works
offline (no intersphinx inventories).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import django

DOCS = Path(__file__).resolve().parent
sys.path[:0] = [str(DOCS.parent), str(DOCS / "_ext")]
os.environ["DJANGO_SETTINGS_MODULE"] = "cinetpay_docs_settings"
django.setup()

import django_cinetpay  # noqa: E402  (after django.setup(): the package's modules need the settings)

project = "django-cinetpay"
author = "django-cinetpay contributors"
copyright = "django-cinetpay contributors"
release = django_cinetpay.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.graphviz",
    "sphinx.ext.viewcode",
    "cinetpay_reference",
]

root_doc = "index"
exclude_patterns = ["_build", "_ext", "requirements.txt"]
language = "en"
nitpicky = False
# Quotes and ellipses only: "--limit" in a command's help must not become an en dash.
smartquotes_action = "qe"

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}
autoclass_content = "both"

graphviz_output_format = "svg"

html_theme = "furo"
html_title = f"django-cinetpay {release}"
html_static_path = ["_static"]
html_css_files = ["cinetpay.css"]
html_theme_options = {
    "source_repository": "https://github.com/django-cinetpay/django-cinetpay/",
    "source_branch": "main",
    "source_directory": "docs/",
}
