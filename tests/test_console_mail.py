"""Without ``MAIL_SERVER`` every mail is printed in full, links included, on the console of the
running site (``flask run``'s terminal, gunicorn's standard error), and recorded as sent."""

import subprocess
import sys
import time

import pytest

from openinfra_live.extensions import db
from openinfra_live.outbox import OutboxMail
from tests.conftest import post_form
from tests.hardening.support import (
    PROJECT_ROOT,
    PROPOSAL,
    Gunicorn,
    LiveClient,
    prepare_database_here,
    site_environment,
    write_instance_config,
)
from tests.proposals.builders import VALID_FORM
from tests.servers import free_port, wait_for_port

SITE = "http://site.example:8080"


def test_a_mail_is_printed_in_full_and_recorded_as_printed(app, client, login_as, capfd):
    response = post_form(client, "/propose", VALID_FORM)

    token = response.headers["Location"].rsplit("/", 1)[1]
    printed = capfd.readouterr().err
    assert "To: sam@example.org" in printed
    assert f"Subject: We received your episode idea: {VALID_FORM['title']}" in printed
    assert f"http://live.test/proposals/{token}" in printed
    with app.app_context():
        [row] = db.session.scalars(db.select(OutboxMail)).all()
        assert (row.status, row.sent_by, row.attempts) == ("sent", "console", 1)
    login_as(client)
    assert "Printed on the console" in client.get("/moderation/outbox").get_data(as_text=True)


def start_flask_run(env: dict[str, str], log) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "openinfra_live", "run", "--port", str(port)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    wait_for_port(port)
    return process, port


@pytest.mark.slow
@pytest.mark.parametrize("server", ["flask run", "gunicorn"])
def test_the_running_site_prints_the_status_link_on_its_console(tmp_path, server):
    database_url = f"sqlite:///{tmp_path / 'site.sqlite'}"
    instance = write_instance_config(tmp_path / "instance")
    env = site_environment(instance, database_url, SITE_URL=SITE)
    prepare_database_here(database_url)
    log_path = tmp_path / "console.log"
    if server == "gunicorn":
        site = Gunicorn(env, log_path).wait_ready()
        port, stop = site.port, site.stop
    else:
        log = open(log_path, "wb")  # noqa: SIM115  (closed below)
        process, port = start_flask_run(env, log)

        def stop() -> None:
            process.terminate()
            process.wait(timeout=15)
            log.close()

    try:
        reply = LiveClient(port).submit("/propose", PROPOSAL)
        assert reply.status == 303
        token = reply.header("Location").rsplit("/", 1)[1]
        deadline = time.monotonic() + 10
        while f"{SITE}/proposals/{token}" not in log_path.read_text(errors="replace"):
            assert time.monotonic() < deadline, log_path.read_text(errors="replace")
            time.sleep(0.1)
    finally:
        stop()
    console = log_path.read_text(errors="replace")
    assert "To: sam@example.org" in console
    assert "----- end of mail -----" in console
