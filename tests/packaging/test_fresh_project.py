"""A new user's first payment: the built wheel in a fresh virtualenv, used by a fresh Django project.

Acceptance: a fresh project (``django-admin startproject``) that installs the built wheel, adds the app,
includes its URLs, overrides a template and connects a receiver can take a payment end to end against any
server that speaks the API in CINETPAY_API.md at ``CINETPAY_CHECKOUT_API_URL``.

The "any server" here is :mod:`tests.packaging.fake_cinetpay`, written from the API page alone. Nothing of
the repository is importable in the fresh project: it only has what the wheel installed.
"""

from __future__ import annotations

import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from .conftest import API_KEY, REPO_ROOT, SECRET_KEY, SITE_ID, Venv, free_port, run
from .fake_cinetpay import FakeCinetPay

OVERRIDE_MARKER = "Merci de votre achat — shop override"
BUYER = ("awa", "awa-secret-pw-1")
SERVER_START_TIMEOUT = 20.0


@dataclass(frozen=True)
class Shop:
    """The fresh project: its folder, the venv that runs it, and the file its receiver writes to."""

    root: Path
    venv: Venv
    sales_log: Path

    @property
    def env(self) -> dict[str, str]:
        return {**self.venv.env, "SHOP_SALES_LOG": str(self.sales_log)}

    def manage(self, *args: str) -> str:
        """``python manage.py <args>`` with the venv's interpreter; returns stdout."""
        return run([self.venv.python, "manage.py", *args], cwd=self.root, env=self.env)


# --- the fresh project, as a new user would write it -----------------------------------------------------

SETTINGS_ADDITIONS = """
# --- added for django-cinetpay ---
INSTALLED_APPS += ["django_cinetpay", "market"]
CINETPAY_API_KEY = "{api_key}"
CINETPAY_SITE_ID = "{site_id}"
CINETPAY_SECRET_KEY = "{secret_key}"
CINETPAY_BASE_URL = "http://127.0.0.1:{shop_port}"
CINETPAY_CHECKOUT_API_URL = "{checkout_api_url}"
CINETPAY_TIMEOUT = 10
DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
TEMPLATES[0]["DIRS"] = [BASE_DIR / "templates"]
LOGIN_URL = "/accounts/login/"
"""

URLS = """from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("payments/", include("django_cinetpay.urls")),
]
"""

MARKET_APPS = """import os

from django.apps import AppConfig


def record_sale(sender, transaction, **kwargs):
    with open(os.environ["SHOP_SALES_LOG"], "a", encoding="utf-8") as log:
        log.write(transaction.transaction_id + "\\n")


class MarketConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "market"

    def ready(self):
        from django_cinetpay.signals import payment_accepted

        payment_accepted.connect(record_sale, dispatch_uid="market.record_sale")
"""

SUCCESS_OVERRIDE = """{% extends "cinetpay/base.html" %}
{% block content %}
<h1>MARKER</h1>
<p>Référence {{ transaction.transaction_id }} — {{ transaction.amount }} {{ transaction.currency }}</p>
{% endblock %}
""".replace("MARKER", OVERRIDE_MARKER)

LOGIN_TEMPLATE = """<form method="post">{% csrf_token %}{{ form.as_p }}
<input type="hidden" name="next" value="{{ next }}"><button>Log in</button></form>
"""

CREATE_PAYMENT = """
from django.contrib.auth import get_user_model
from django_cinetpay import services

User = get_user_model()
buyer = User.objects.create_user("{buyer}", "awa@example.com", "{password}")
seller = User.objects.create_user("koffi", "koffi@example.com", "seller-secret-pw-2")
tx = services.create_payment(
    buyer=buyer, seller=seller, amount=1000, currency="XOF", description="Compte Free Fire"
)
print("TRANSACTION_ID=" + tx.transaction_id)
"""


def create_shop(tmp_path: Path, venv: Venv, *, shop_port: int, checkout_api_url: str) -> Shop:
    """``startproject shop`` + ``startapp market``, then the settings, URLs, template and receiver."""
    workdir = tmp_path / "work"
    workdir.mkdir()
    run([venv.bin / "django-admin", "startproject", "shop"], cwd=workdir, env=venv.env)
    shop = Shop(root=workdir / "shop", venv=venv, sales_log=tmp_path / "sales.log")
    shop.manage("startapp", "market")

    settings_py = shop.root / "shop" / "settings.py"
    settings_py.write_text(
        settings_py.read_text(encoding="utf-8")
        + SETTINGS_ADDITIONS.format(
            api_key=API_KEY,
            site_id=SITE_ID,
            secret_key=SECRET_KEY,
            shop_port=shop_port,
            checkout_api_url=checkout_api_url,
        ),
        encoding="utf-8",
    )
    (shop.root / "shop" / "urls.py").write_text(URLS, encoding="utf-8")
    apps_py = shop.root / "market" / "apps.py"
    assert "class MarketConfig(AppConfig)" in apps_py.read_text(encoding="utf-8")
    apps_py.write_text(MARKET_APPS, encoding="utf-8")

    templates = shop.root / "templates"
    (templates / "cinetpay").mkdir(parents=True)
    (templates / "cinetpay" / "payment_success.html").write_text(SUCCESS_OVERRIDE, encoding="utf-8")
    (templates / "registration").mkdir()
    (templates / "registration" / "login.html").write_text(LOGIN_TEMPLATE, encoding="utf-8")
    return shop


def create_payment(shop: Shop) -> str:
    """Create the buyer, the seller and a 1000 XOF payment with ``manage.py shell``; its transaction id."""
    out = shop.manage("shell", "-c", CREATE_PAYMENT.format(buyer=BUYER[0], password=BUYER[1]))
    match = re.search(r"^TRANSACTION_ID=(\S+)$", out, re.MULTILINE)
    assert match, f"create_payment printed no transaction id:\n{out}"
    return match.group(1)


# --- the running project ------------------------------------------------------------------------------


@dataclass
class Server:
    """The shop's ``runserver`` subprocess, its address, and where its output goes."""

    proc: subprocess.Popen[bytes]
    url: str
    stderr_path: Path

    def stderr(self) -> str:
        """What runserver wrote so far (requests log, tracebacks): shown when an assertion fails."""
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def why(self, message: str) -> str:
        """``message`` followed by the server's output, for assertion messages."""
        return f"{message}\n--- runserver stderr ---\n{self.stderr()}"


def start_server(shop: Shop, port: int, background: list[subprocess.Popen[bytes]]) -> Server:
    """``manage.py runserver 127.0.0.1:<port> --noreload``, waited for until it answers (bounded)."""
    stderr_path = shop.root.parent / "runserver.stderr"
    with (shop.root.parent / "runserver.stdout").open("wb") as out, stderr_path.open("wb") as err:
        proc = subprocess.Popen(
            [str(shop.venv.python), "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=shop.root,
            env=shop.env,
            stdout=out,
            stderr=err,
        )
    background.append(proc)
    server = Server(proc=proc, url=f"http://127.0.0.1:{port}", stderr_path=stderr_path)
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    with requests.Session() as probe:
        probe.trust_env = False
        while time.monotonic() < deadline:
            assert proc.poll() is None, server.why(f"runserver exited with {proc.returncode}")
            try:
                probe.get(server.url + "/accounts/login/", timeout=2)
            except requests.RequestException:
                time.sleep(0.2)
            else:
                return server
    pytest.fail(server.why(f"runserver did not answer within {SERVER_START_TIMEOUT} s"))


def csrf_token(html: str) -> str:
    """The ``csrfmiddlewaretoken`` of the first form in ``html``."""
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, f"no CSRF token in:\n{html[:2000]}"
    return match.group(1)


def log_in(session: requests.Session, server: Server, username: str, password: str) -> None:
    """Log in through the project's own ``/accounts/login/`` form."""
    page = session.get(server.url + "/accounts/login/", timeout=10)
    assert page.status_code == 200, server.why(f"login page: HTTP {page.status_code}")
    response = session.post(
        server.url + "/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": csrf_token(page.text)},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, server.why(f"login refused: HTTP {response.status_code}")


def submit_payment_form(session: requests.Session, url: str, form_html: str) -> requests.Response:
    """POST the payment form as a Mobile Money buyer would fill it in; the redirect is not followed."""
    return session.post(
        url,
        data={
            "csrfmiddlewaretoken": csrf_token(form_html),
            "customer_surname": "Awa",
            "customer_name": "Koné",
            "customer_email": "awa@example.com",
            "customer_phone_number": "07 07 07 07 07",
            "channel": "MOBILE_MONEY",
        },
        allow_redirects=False,
        timeout=30,
    )


def pytest_fixtures(venv: Venv, workdir: Path) -> str:
    """``pytest --fixtures`` in an empty folder of the venv, with plain pytest installed: its output.

    Fails (with pytest's error) if a plugin the wheel registers cannot be loaded there.
    """
    run([venv.python, "-m", "pip", "install", "--quiet", "pytest"], cwd=venv.root, env=venv.env, timeout=300)
    workdir.mkdir()
    return run(
        [venv.python, "-m", "pytest", "--fixtures", "-p", "no:cacheprovider"], cwd=workdir, env=venv.env
    )


# --- the test -----------------------------------------------------------------------------------------


@pytest.mark.packaging
def test_fresh_project_takes_a_payment_end_to_end(
    tmp_path: Path,
    venv: Venv,
    fake_cinetpay: FakeCinetPay,
    background: list[subprocess.Popen[bytes]],
    buyer: requests.Session,
) -> None:
    # The installed package comes from the venv's site-packages, not from the repository.
    module_file = run(
        [venv.python, "-c", "import django_cinetpay; print(django_cinetpay.__file__)"],
        cwd=tmp_path,
        env=venv.env,
    ).strip()
    installed_at = Path(module_file).resolve()
    assert installed_at.is_relative_to(venv.site_packages()), installed_at
    assert not installed_at.is_relative_to(REPO_ROOT), installed_at

    port = free_port()
    shop = create_shop(tmp_path, venv, shop_port=port, checkout_api_url=fake_cinetpay.api_url)
    shop.manage("migrate", "--no-input")
    shop.manage("check")
    shop.manage("makemigrations", "--check", "--dry-run", "cinetpay")  # the wheel's migrations are complete
    transaction_id = create_payment(shop)
    server = start_server(shop, port, background)
    payments = f"{server.url}/payments/{transaction_id}"

    # The buyer logs in and opens the payment form.
    log_in(buyer, server, *BUYER)
    form_page = buyer.get(payments + "/pay/", timeout=10)
    assert form_page.status_code == 200, server.why(f"pay page: HTTP {form_page.status_code}")
    assert 'name="customer_phone_number"' in form_page.text, form_page.text

    # Submitting it starts the checkout at the fake and sends the buyer to its payment page.
    started = submit_payment_form(buyer, payments + "/pay/", form_page.text)
    assert started.status_code == 302, server.why(f"form POST: HTTP {started.status_code}\n{started.text}")
    assert fake_cinetpay.refusals == [], server.why(f"the fake refused: {fake_cinetpay.refusals}")
    assert len(fake_cinetpay.inits) == 1, fake_cinetpay.inits
    init = fake_cinetpay.inits[0]
    payment = fake_cinetpay.payments[transaction_id]
    assert started.headers["Location"] == f"{fake_cinetpay.url}/payment/{payment.payment_token}"
    assert init.body["notify_url"] == server.url + "/payments/notify/", init.body
    assert init.body["return_url"] == server.url + "/payments/return/", init.body
    assert (init.body["amount"], init.body["currency"]) == (1000, "XOF"), init.body
    assert init.body["customer_phone_number"] == "+2250707070707", init.body  # E.164
    assert init.body["channels"] == "MOBILE_MONEY", init.body
    assert init.headers.get("User-Agent", "").startswith("django-cinetpay/"), init.headers

    # Before the customer pays, a status poll asks the fake and hears "waiting".
    waiting = buyer.get(payments + "/status/", timeout=30)
    assert waiting.status_code == 200, server.why(f"status: HTTP {waiting.status_code}")
    assert waiting.json()["status"] == "pending", server.why(str(waiting.json()))
    assert not shop.sales_log.exists(), shop.sales_log.read_text(encoding="utf-8")

    # The customer pays; CinetPay notifies twice. Both answered 200, the receiver runs once.
    checks_before = len(fake_cinetpay.checks)
    deliveries = fake_cinetpay.pay(transaction_id, deliveries=2)
    assert [d.status for d in deliveries] == [200, 200], server.why(
        "notifications answered " + "; ".join(f"{d.status} {d.body}" for d in deliveries)
    )
    assert fake_cinetpay.refusals == [], server.why(f"the fake refused: {fake_cinetpay.refusals}")
    assert len(fake_cinetpay.checks) > checks_before, "the notification was trusted without a check call"
    assert shop.sales_log.exists(), server.why("the payment_accepted receiver never ran")
    assert shop.sales_log.read_text(encoding="utf-8").splitlines() == [transaction_id], server.why(
        "payment_accepted receiver log: " + shop.sales_log.read_text(encoding="utf-8")
    )

    # CinetPay sends the buyer back; the shop's own success template is shown.
    back = buyer.get(
        server.url + "/payments/return/",
        params={"transaction_id": transaction_id, "token": payment.payment_token},
        allow_redirects=False,
        timeout=30,
    )
    assert back.status_code == 302, server.why(f"return: HTTP {back.status_code}\n{back.text}")
    assert back.headers["Location"] == f"/payments/{transaction_id}/success/", back.headers
    success = buyer.get(server.url + back.headers["Location"], timeout=10)
    assert success.status_code == 200, server.why(f"success page: HTTP {success.status_code}")
    assert OVERRIDE_MARKER in success.text, success.text
    assert transaction_id in success.text, success.text
    css = buyer.get(server.url + "/static/cinetpay/cinetpay.css", timeout=10)
    assert css.status_code == 200, server.why(f"the app's static CSS: HTTP {css.status_code}")

    final = buyer.get(payments + "/status/", timeout=10).json()
    assert (final["status"], final["is_paid"]) == ("accepted", True), final
    assert shop.sales_log.read_text(encoding="utf-8").splitlines() == [transaction_id]

    # Last, so that the payment is proven first: pytest still starts where the wheel is installed. Its
    # pytest11 plugin is loaded by every pytest run, before any Django settings exist.
    assert "cinetpay" in pytest_fixtures(venv, tmp_path / "pytest-run")
