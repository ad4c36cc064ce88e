"""The processes under test: gunicorn (the site, the hello floor) and nginx (proxy and static).

Every process is a child of the harness, bound to 127.0.0.1 or a Unix socket in the run's
directory, and stopped by the harness whatever happens.
"""

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NGINX_TEMPLATE = ROOT / "deploy" / "nginx.conf"
_PLACEHOLDER = re.compile(r"\$\{([A-Z_]+)\}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


def fetch(
    port: int,
    path: str,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 60.0,
) -> Response:
    """One HTTP/1.1 request to 127.0.0.1; redirects are not followed.

    Like wrk, it sends no ``Accept-Encoding`` unless ``headers`` has one (``http.client`` would
    add ``identity``): a proxy cache filled by this request then holds the variant wrk asks for.
    """
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        if body is not None:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        answer = connection.getresponse()
        return Response(
            status=answer.status,
            headers={k.lower(): v for k, v in answer.getheaders()},
            body=answer.read(),
        )
    finally:
        connection.close()


@dataclass
class Child:
    """A server process and where its log goes."""

    name: str
    process: subprocess.Popen
    log_path: Path
    port: int
    extra: dict = field(default_factory=dict)
    # gunicorn: SIGINT is its quick shutdown; nginx: SIGTERM is.
    stop_signal: int = signal.SIGINT

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.send_signal(self.stop_signal)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def wait_ready(self, path: str = "/", timeout: float = 60.0) -> None:
        """Wait until the server answers an HTTP request (any status)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with status {self.process.returncode}:\n{self.log_tail()}"
                )
            try:
                fetch(self.port, path, timeout=10)
                return
            except OSError:
                time.sleep(0.1)
        raise TimeoutError(f"{self.name} did not answer within {timeout:.0f} s:\n{self.log_tail()}")


def start_gunicorn(
    name: str,
    app_spec: str,
    run_dir: Path,
    env: dict[str, str],
    workers: int,
    unix_socket: Path | None = None,
) -> Child:
    """gunicorn with sync workers on a free 127.0.0.1 port (and a Unix socket for nginx)."""
    port = free_port()
    log_path = run_dir / f"{name}.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--chdir",
        str(ROOT),
        "--log-level",
        "warning",
        "--error-logfile",
        str(log_path),
        "--timeout",
        "120",
    ]
    if unix_socket is not None:
        command += ["--bind", f"unix:{unix_socket}"]
    command.append(app_spec)
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **env},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return Child(name=name, process=process, log_path=log_path, port=port)


def child_pids(parent: int) -> list[int]:
    """The processes whose parent is ``parent`` (gunicorn's workers), from /proc."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: split after it.
        fields = stat[stat.rfind(")") + 2 :].split()
        if int(fields[1]) == parent:
            pids.append(int(entry.name))
    return sorted(pids)


def rss_mib(pid: int) -> float | None:
    """Resident memory of a process in MiB (``VmRSS``), None once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.path.exists(p)), None
    )


def render_nginx_conf(template: str, values: dict[str, str]) -> str:
    """Fill the ``${NAME}`` placeholders of ``deploy/nginx.conf`` (nginx's own ``$vars`` stay)."""
    missing = sorted({m for m in _PLACEHOLDER.findall(template) if m not in values})
    if missing:
        raise KeyError(f"deploy/nginx.conf needs values for: {', '.join(missing)}")
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


# nginx sends a file either with sendfile() or by reading it and writing it out. Which is faster
# depends on the file: on 127.0.0.1, reading wins by about a quarter for pages of a few KB and
# sendfile() by about a tenth for 100 KB and more. The physical limit is the faster of the two,
# so the static file is served both ways, each by its own server.
STATIC_MODES = {
    "sendfile": "sendfile on;",
    "read": "sendfile off; output_buffers 2 256k;",
}


def add_static_servers(conf: str, ports: dict[str, int], root: Path) -> str:
    """Add a server per :data:`STATIC_MODES` entry (``ports`` names each one's port) that
    answers files from ``root``: the same nginx, no application behind it."""
    servers = "".join(
        f"    server {{\n"
        f"        listen 127.0.0.1:{ports[mode]};\n"
        f"        root {root};\n"
        f"        access_log off;\n"
        f"        {directives}\n"
        f"        location / {{ try_files $uri =404; }}\n"
        # Under /compressed/, ``name.gz`` is sent as it is to a client that accepts gzip. Only
        # there: with gzip_vary on, gzip_static looks for a ``.gz`` file on every request.
        f"        location /compressed/ {{ gzip_static on; try_files $uri =404; }}\n"
        f"    }}\n"
        for mode, directives in STATIC_MODES.items()
    )
    head, brace, tail = conf.rpartition("}")
    if not brace:
        raise ValueError("deploy/nginx.conf has no http block to add a server to")
    return head + servers + brace + tail


def start_nginx(run_dir: Path, upstream: str, static_files: Path) -> Child:
    """nginx with ``deploy/nginx.conf`` in the foreground, its state under ``run_dir/nginx``.

    Returns the child with ``extra["static_ports"]``: for each of :data:`STATIC_MODES`, the port
    of another server of the same nginx that serves ``static_files`` as plain files.
    """
    binary = nginx_binary()
    if binary is None:
        raise FileNotFoundError("nginx is not installed (apt-get install nginx)")
    prefix = run_dir / "nginx"
    for sub in ("state", "logs"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    port = free_port()
    static_ports = {mode: free_port() for mode in STATIC_MODES}
    as_root = os.geteuid() == 0
    conf = render_nginx_conf(
        NGINX_TEMPLATE.read_text(),
        {
            "LISTEN": f"127.0.0.1:{port}",
            "UPSTREAM": upstream,
            "STATIC_ROOT": str(ROOT / "static"),
            "STATE_DIR": str(prefix / "state"),
            "LOG_DIR": str(prefix / "logs"),
            # Workers run as root only here: every path of the run is in a private temp dir.
            "NGINX_USER": "root" if as_root else (os.environ.get("USER") or "nobody"),
            "WORKER_PROCESSES": "auto",
        },
    )
    conf = add_static_servers(conf, static_ports, static_files)
    conf_path = prefix / "nginx.conf"
    conf_path.write_text(conf)
    log_path = prefix / "logs" / "error.log"
    base = [binary, "-p", str(prefix), "-c", str(conf_path), "-e", str(log_path)]
    check = subprocess.run([*base, "-t", "-q"], capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError(f"nginx -t rejected the rendered deploy/nginx.conf:\n{check.stderr}")
    process = subprocess.Popen(
        [*base, "-g", "daemon off;"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return Child(
        name="nginx",
        process=process,
        log_path=log_path,
        port=port,
        extra={"static_ports": static_ports},
        stop_signal=signal.SIGTERM,
    )


def nginx_version() -> str | None:
    binary = nginx_binary()
    if binary is None:
        return None
    done = subprocess.run([binary, "-v"], capture_output=True, text=True)
    return (done.stderr or done.stdout).strip().split("/")[-1] or None
