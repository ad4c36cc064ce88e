"""One app process trying wrong passwords, for the shared-limit test (run with ``-m``).

Arguments: database URI, rate-limit storage URI, number of attempts, start time (epoch
seconds, so that all workers begin together), password. Prints one status code per line.
"""

import sys
import time

from openinfra_live import create_app
from tests.conftest import base_test_config, csrf_token_from


def main(
    database_uri: str, storage_uri: str, attempts: int, start_at: float, password: str
) -> None:
    config = base_test_config(database_uri)
    config["RATELIMIT_STORAGE_URI"] = storage_uri
    app = create_app(config)
    client = app.test_client()
    time.sleep(max(0.0, start_at - time.time()))
    for _ in range(attempts):
        page = client.get("/login")
        token = csrf_token_from(page.get_data(as_text=True))
        data = {"csrf_token": token, "email": "mod@example.org", "password": password}
        print(client.post("/login", data=data).status_code, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5])
