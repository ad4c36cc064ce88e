"""Fingerprinted static assets.

Every ``url_for("static", filename=…)`` carries ``?v=`` and a digest of the file's bytes, so an
asset's address changes exactly when the asset does. Browsers and proxies may then keep it for
a year without asking again (``deploy/nginx.conf`` says so for ``/static/`` addresses with a
``v``; this module says the same when the application serves them itself).
"""

import hashlib
import os
from pathlib import Path
from typing import Any

from flask import Flask, Response, request, url_for

IMMUTABLE_CACHE_CONTROL = "public, max-age=31536000, immutable"
# Names are remembered up to this many: a request for a static file may spell its name in
# many ways ("css/./site.css"), and memory must not grow with them.
MAX_NAMES = 1024


class Fingerprints:
    """Digests of the files of one static folder, read again when a file's mtime changes."""

    def __init__(self, folder: str) -> None:
        self.folder = Path(folder)
        self._digests: dict[str, tuple[int, str]] = {}
        # Resolving a path costs a system call per component; a page asks for the same few
        # files on every render, so each name is resolved once.
        self._paths: dict[str, Path] = {}

    def of(self, filename: str) -> str | None:
        """The fingerprint of ``filename`` (relative to the folder); None when there is no
        such file in the folder."""
        path = self._paths.get(filename)
        if path is None:
            path = (self.folder / filename).resolve()
            if not path.is_relative_to(self.folder.resolve()):
                return None
            if len(self._paths) >= MAX_NAMES:
                self._paths.clear()
            self._paths[filename] = path
        try:
            mtime = os.stat(path).st_mtime_ns
        except OSError:
            return None
        known = self._digests.get(filename)
        if known is not None and known[0] == mtime:
            return known[1]
        digest = hashlib.blake2b(path.read_bytes(), digest_size=6).hexdigest()
        if len(self._digests) >= MAX_NAMES:
            self._digests.clear()
        self._digests[filename] = (mtime, digest)
        return digest


def init_app(app: Flask) -> None:
    if app.static_folder is None:
        return
    fingerprints = Fingerprints(app.static_folder)
    app.extensions["asset_fingerprints"] = fingerprints

    @app.url_defaults
    def add_fingerprint(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "v" not in values and "filename" in values:
            digest = fingerprints.of(values["filename"])
            if digest is not None:
                values["v"] = digest

    addresses: dict[tuple[str, str, str | None], str] = {}

    @app.template_global()
    def asset_url(filename: str) -> str:
        """``url_for("static", filename=…)``, remembered per fingerprint and mount point: the
        layout asks for the same few assets on every page, and building an address costs
        more than the rest of its line."""
        key = (request.script_root, filename, fingerprints.of(filename))
        address = addresses.get(key)
        if address is None:
            if len(addresses) >= MAX_NAMES:
                addresses.clear()
            address = addresses[key] = url_for("static", filename=filename)
        return address

    @app.after_request
    def keep_fingerprinted_assets(response: Response) -> Response:
        if (
            request.endpoint == "static"
            and response.status_code == 200
            and request.args.get("v")
            and request.args.get("v") == fingerprints.of(request.view_args["filename"])
        ):
            response.headers["Cache-Control"] = IMMUTABLE_CACHE_CONTROL
        return response
