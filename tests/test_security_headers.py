"""Headers on every response, error pages in the layout, and input the site refuses early."""

import pytest

from openinfra_live import create_app

CSP_PARTS = [
    "default-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
]


@pytest.fixture
def bare_app(tmp_path):
    """An app with routes that fail on purpose, on an empty in-memory database."""
    app = create_app(
        {
            "TESTING": False,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/bare.sqlite",
        }
    )

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret detail that must not leak")

    return app


def assert_security_headers(response):
    csp = response.headers["Content-Security-Policy"]
    for part in CSP_PARTS:
        assert part in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_home_page_has_security_headers(client):
    assert_security_headers(client.get("/"))


def test_not_found_page_is_in_the_layout_with_headers(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert_security_headers(response)
    html = response.get_data(as_text=True)
    assert "<h1>Page not found</h1>" in html
    assert 'class="skip-link"' in html


def test_server_error_shows_no_detail_and_keeps_headers(bare_app):
    response = bare_app.test_client().get("/boom")
    assert response.status_code == 500
    assert_security_headers(response)
    html = response.get_data(as_text=True)
    assert "secret detail" not in html
    assert "Traceback" not in html
    assert "Something went wrong" in html


def test_method_not_allowed_page_names_the_allowed_methods(client):
    response = client.delete("/")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert_security_headers(response)


def test_hsts_is_sent_over_https_only(client):
    assert "Strict-Transport-Security" not in client.get("/healthz").headers
    secure = client.get("/healthz", base_url="https://live.test")
    assert "max-age=31536000" in secure.headers["Strict-Transport-Security"]


@pytest.mark.parametrize(
    "path",
    ["/episodes/%00/", "/episodes/?q=%00", "/episodes/?q=%C0%AF", "/%FF", "/ptg/?x=%00abc"],
)
def test_nul_bytes_and_invalid_utf8_in_the_address_get_400(client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert_security_headers(response)


def test_nul_byte_in_a_form_gets_400_not_500(client):
    response = client.post(
        "/login",
        data=b"email=a%00b&password=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
