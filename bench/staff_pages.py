"""Staff site throughput on the embedded database: the pages a clerk opens all day, against
the cheapest endpoint (/healthz) measured in the same run.

    .venv/bin/python bench/staff_pages.py [--clients 8] [--seconds 5]
"""

import argparse
import re
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.loadgen import Client, app_command, run, served_app  # noqa: E402
from demo_data import DEMO_PASSWORD  # noqa: E402

PAGES = (
    ("staff home (ホーム)", "/admin/"),
    ("reservation list, 50 rows", "/admin/reservation/"),
    ("card ledger, 50 rows", "/admin/card/"),
    ("audit log, 100 rows", "/admin/auditlog/"),
)


def signed_in_client(base_url):
    client = Client(base_url)
    _status, page = client.request("GET", "/admin/login")
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()
    body = urlencode({"login": "admin", "password": DEMO_PASSWORD, "csrf_token": token})
    status, _ = client.request("POST", "/admin/login", body, {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 302, "login failed"
    return client


def get(path):
    return lambda client: client.request("GET", path)[0] == 200


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        environment = {"KOFU_DATA_DIR": data_dir, "KOFU_DATABASE_URL": f"sqlite:///{data_dir}/kofu.sqlite3"}
        app_command(environment, "init-db")
        app_command(environment, "seed-demo")
        with served_app(environment) as base_url:
            clients = [signed_in_client(base_url) for _ in range(options.clients)]
            baseline = run("baseline /healthz", clients, get("/healthz"), options.seconds)
            print(f"{options.clients} clients, {options.seconds:.0f} s each, one waitress process (8 threads), SQLite")
            print(baseline.line())
            for name, path in PAGES:
                print(run(name, clients, get(path), options.seconds).line(baseline))


if __name__ == "__main__":
    main()
