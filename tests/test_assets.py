"""Static assets carry a fingerprint of their bytes and may then be kept for a year."""

import os
import re

from flask import Flask, render_template_string

from openinfra_live import assets
from openinfra_live.assets import IMMUTABLE_CACHE_CONTROL, MAX_NAMES, Fingerprints

ASSET = re.compile(r'(?:href|src)="(/static/[^"?]+)\?v=([0-9a-f]{12})"')


def test_every_asset_in_the_layout_carries_the_fingerprint_of_its_bytes(app, client):
    html = client.get("/").get_data(as_text=True)
    found = dict(ASSET.findall(html))

    assert set(found) == {"/static/css/site.css", "/static/img/favicon.svg", "/static/js/site.js"}
    fingerprints = app.extensions["asset_fingerprints"]
    for path, digest in found.items():
        assert digest == fingerprints.of(path.removeprefix("/static/"))


def test_a_fingerprinted_address_is_kept_a_year_and_any_other_is_not(app, client):
    html = client.get("/").get_data(as_text=True)
    path, digest = ASSET.search(html).groups()

    kept = client.get(f"{path}?v={digest}")
    stale = client.get(f"{path}?v=000000000000")
    plain = client.get(path)

    assert kept.status_code == 200
    assert kept.headers["Cache-Control"] == IMMUTABLE_CACHE_CONTROL
    for response in (stale, plain):
        assert response.status_code == 200
        assert "immutable" not in response.headers.get("Cache-Control", "")
    for response in (kept, stale, plain):
        response.close()


def test_the_fingerprint_follows_the_file_and_refuses_paths_outside(tmp_path):
    folder = tmp_path / "static"
    folder.mkdir()
    asset = folder / "site.css"
    asset.write_text("body { color: black; }")
    (tmp_path / "secret.txt").write_text("outside")
    fingerprints = Fingerprints(str(folder))

    first = fingerprints.of("site.css")
    asset.write_text("body { color: navy; }")
    stat = asset.stat()
    os.utime(asset, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    second = fingerprints.of("site.css")

    assert re.fullmatch(r"[0-9a-f]{12}", first)
    assert second != first
    assert fingerprints.of("missing.css") is None
    assert fingerprints.of("../secret.txt") is None


def test_names_remembered_are_bounded_however_a_file_is_spelled(tmp_path):
    folder = tmp_path / "static"
    folder.mkdir()
    (folder / "site.css").write_text("body { color: black; }")
    fingerprints = Fingerprints(str(folder))
    expected = fingerprints.of("site.css")

    spellings = ["./" * count + "site.css" for count in range(1, MAX_NAMES + 200)]
    digests = {fingerprints.of(name) for name in spellings}

    assert digests == {expected}
    assert len(fingerprints._paths) <= MAX_NAMES
    assert len(fingerprints._digests) <= MAX_NAMES
    # A name seen before the store was emptied is still answered right.
    assert fingerprints.of("site.css") == expected


def test_remembered_addresses_follow_the_mount_point_and_the_file(tmp_path):
    folder = tmp_path / "static"
    folder.mkdir()
    asset = folder / "site.css"
    asset.write_text("body { color: black }")
    app = Flask(__name__, static_folder=str(folder))
    assets.init_app(app)
    fingerprints = app.extensions["asset_fingerprints"]

    def address(base_url: str = "http://localhost/") -> str:
        with app.test_request_context("/", base_url=base_url):
            return render_template_string("{{ asset_url('site.css') }}")

    first = address()
    assert first == f"/static/site.css?v={fingerprints.of('site.css')}"
    assert address() == first
    assert address("http://localhost/mounted/") == "/mounted" + first

    asset.write_text("body { color: navy }")
    os.utime(asset, ns=(asset.stat().st_atime_ns, asset.stat().st_mtime_ns + 10**9))
    changed = address()
    assert changed != first
    assert changed == f"/static/site.css?v={fingerprints.of('site.css')}"
