"""The morning a month of slots opens: 100 residents read availability and book at once.

    .venv/bin/python bench/booking_rush.py [--clients 100] [--seconds 10] [--capacity 10]
    .venv/bin/python bench/booking_rush.py --postgres postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/booking_rush.py --processes 1   # one process, no proxy

Serves the app with waitress on loopback and releases 30 days of slots. The load comes from wrk
(Debian package ``wrk``; a C client, so that the figures are the server's and not a Python
client's): first /healthz as the baseline, then the month calendar, then the rush, in which every
connection alternates a day's times page and a booking posted through the public form. Each
booking is a different resident (name and birth date) behind a simulated proxy (a distinct
X-Forwarded-For), so the per-address rate limit applies as it would in production. Afterwards
the slots are checked in the database: none may hold more than its capacity.

By default the load goes through haproxy (Debian package ``haproxy``) to one waitress process
per core, each given at most BACKEND_CONNECTIONS connections at a time, which is how production
runs: one Python process uses one core (the GIL), so a single process on this 2-core machine
leaves a core idle. ``--processes 1`` serves without the proxy.
"""

import argparse
import collections
import contextlib
import datetime
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg2  # noqa: E402

from bench.loadgen import Client, app_command, free_port, served_app, wait_until_up  # noqa: E402

KANA_DIGITS = "アイウエオカキクケコ"
BACKEND_CONNECTIONS = 16
HAPROXY_CONFIG = """
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend kofu
    bind 127.0.0.1:{port}
    option forwardfor
    default_backend apps
backend apps
    balance roundrobin
{servers}
"""
LUA_TEMPLATE = """
local slots = {{{slots}}}
local days = {{{days}}}
local digits = {{{digits}}}
local counter = 0

function setup(thread)
  thread:set("offset", {per_thread} * (#threads_seen + 1))
  table.insert(threads_seen, thread)
end

local function resident(n)
  local text = ""
  for ch in string.format("%07d", n):gmatch(".") do text = text .. digits[tonumber(ch) + 1] end
  return text
end

request = function()
  counter = counter + 1
  local n = offset + counter
  if counter % 2 == 1 then
    return wrk.format("GET", "/book/apply/{location}/" .. days[math.floor(n / 2) % #days + 1])
  end
  -- Every other request books, so step through the slots by half the request number.
  local body = "csrf_token={token}&purpose=apply&slot=" .. slots[math.floor(n / 2) % #slots + 1]
    .. "&name={name}&kana={kana_prefix}" .. resident(n)
    .. "&birth_date=" .. string.format("%04d-%02d-%02d", 1940 + n % 60, n % 12 + 1, n % 28 + 1)
    .. "&phone=0887-35-0000&email=&people=1&notice_number=&consent=y&website="
    .. "&submission_token=" .. string.format("rush%016d", n)
  local address = string.format("10.%d.%d.%d", math.floor(n / 62500) % 250, math.floor(n / 250) % 250, n % 250 + 1)
  local headers = {{
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "{cookie}",
    ["X-Forwarded-For"] = address,
  }}
  return wrk.format("POST", "/book/confirm", headers, body)
end
"""
# Appended to every wrk script: the 50th, 95th and 99th percentiles (wrk's --latency table has no
# 95th), and a count per HTTP error status, so that an error is named and not only counted.
REPORT_SCRIPT = """
threads_seen = {}
errors = {}

function response(status, headers, body)
  if status >= 400 then errors[status] = (errors[status] or 0) + 1 end
end

function done(summary, latency, requests)
  for _, share in ipairs({50, 95, 99}) do
    io.write(string.format("latency-p%d %d\\n", share, latency:percentile(share)))
  end
  for _, thread in ipairs(threads_seen) do
    for status, count in pairs(thread:get("errors")) do
      io.write(string.format("status-%d %d\\n", status, count))
    end
  end
end
"""
PLAIN_SCRIPT = (
    REPORT_SCRIPT
    + """
function setup(thread)
  table.insert(threads_seen, thread)
end
"""
)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=100, help="concurrent connections")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--capacity", type=int, default=20, help="seats per 30-minute slot")
    parser.add_argument("--postgres", metavar="URL", help="run on this PostgreSQL server instead of SQLite")
    parser.add_argument(
        "--processes", type=int, default=os.cpu_count(), help="waitress processes; more than 1: behind haproxy"
    )
    options = parser.parse_args()
    needed = ["wrk"] + (["haproxy"] if options.processes > 1 else [])
    if missing := [tool for tool in needed if not shutil.which(tool)]:
        sys.exit(f"{', '.join(missing)} が見つかりません。apt-get install {' '.join(missing)} で導入してください。")
    with tempfile.TemporaryDirectory() as data_dir, database_url(options.postgres, data_dir) as url:
        # Behind haproxy the resident's address is the second-to-last X-Forwarded-For entry.
        proxies = "2" if options.processes > 1 else "1"
        environment = {"KOFU_DATA_DIR": data_dir, "KOFU_DATABASE_URL": url, "KOFU_PROXY_COUNT": proxies}
        app_command(environment, "init-db")
        location_id, slots_by_day = release_month(url, options.capacity)
        with served(environment, options.processes, Path(data_dir)) as base_url:
            report(options, url, base_url, location_id, slots_by_day, Path(data_dir))


@contextlib.contextmanager
def served(environment, processes, folder):
    """The app's base URL: one waitress process, or several behind haproxy."""
    with contextlib.ExitStack() as stack:
        backends = [stack.enter_context(served_app(environment)) for _ in range(processes)]
        if processes == 1:
            yield backends[0]
            return
        port = free_port()
        servers = "\n".join(
            f"    server app{index} {url.removeprefix('http://')} maxconn {BACKEND_CONNECTIONS}"
            for index, url in enumerate(backends)
        )
        config = folder / "haproxy.cfg"
        config.write_text(HAPROXY_CONFIG.format(port=port, servers=servers))
        proxy = subprocess.Popen(["haproxy", "-f", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        stack.callback(proxy.wait, timeout=10)
        stack.callback(proxy.terminate)
        wait_until_up(f"http://127.0.0.1:{port}")
        yield f"http://127.0.0.1:{port}"


@contextlib.contextmanager
def database_url(postgres_url, data_dir):
    if not postgres_url:
        yield f"sqlite:///{data_dir}/kofu.sqlite3"
        return
    schema = f"kofu_bench_{uuid.uuid4().hex[:8]}"
    _postgres(postgres_url, f"CREATE SCHEMA {schema}")
    try:
        yield f"{postgres_url}?options=-csearch_path%3D{schema}"
    finally:
        _postgres(postgres_url, f"DROP SCHEMA {schema} CASCADE")


def _postgres(url, statement):
    connection = psycopg2.connect(url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(statement)
    connection.close()


def release_month(url, capacity):
    """One counter open on weekdays 9:00–17:00 in 30-minute slots, for the coming 30 days."""
    from app import create_app
    from models import Location, Slot, SlotRule, db
    from rules.clock import today
    from rules.slots import generate_slots

    create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    with db.connection_context():
        location = Location.create(code="HONCHO", name="本庁 市民課")
        SlotRule.create(
            location=location,
            opens_at=datetime.time(9),
            closes_at=datetime.time(17),
            capacity=capacity,
            purposes="apply",
        )
        generate_slots(today() + datetime.timedelta(days=1), today() + datetime.timedelta(days=30))
        slots_by_day = {}
        for slot_id, day in Slot.select(Slot.id, Slot.date).tuples():
            slots_by_day.setdefault(day, []).append(slot_id)
    db.close()
    return location.id, slots_by_day


def report(options, url, base_url, location_id, slots_by_day, folder):
    seats = options.capacity * sum(len(ids) for ids in slots_by_day.values())
    database = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    serving = (
        "one waitress process" if options.processes == 1 else f"{options.processes} waitress processes behind haproxy"
    )
    print(
        f"{options.clients} connections (wrk), {options.seconds} s each, {len(slots_by_day)} days, {seats} seats, "
        f"{database}, {serving}, 8 threads each"
    )
    plain = folder / "plain.lua"
    plain.write_text(PLAIN_SCRIPT)
    baseline = wrk(options, f"{base_url}/healthz", plain)
    print(line("baseline /healthz", baseline))
    availability = wrk(options, f"{base_url}/book/apply/{location_id}", plain)
    print(line("availability (month page)", availability, baseline))
    rush_lua = folder / "rush.lua"
    rush_lua.write_text(rush_script(base_url, location_id, slots_by_day) + REPORT_SCRIPT)
    rush = wrk(options, base_url, rush_lua)
    print(line("rush (times page + booking)", rush, baseline))
    booked, overbooked, mismatched = check_counts(url)
    posts = rush["rps"] * rush["seconds"] / 2
    print(
        f"bookings: {booked} in {rush['seconds']} s = {booked / rush['seconds']:.1f} bookings/s of about "
        f"{posts / rush['seconds']:.0f} booking posts/s; overbooked slots: {overbooked}; "
        f"slots whose count differs from their bookings: {mismatched}"
    )
    if booked >= seats:
        print("every seat was taken before the end: bookings/s is a lower bound (raise --capacity)")
    print(f"availability page at {availability['rps'] / baseline['rps']:.0%} of the baseline's req/s")


def rush_script(base_url, location_id, slots_by_day):
    """The wrk script: one session (its cookie and CSRF token), then a new resident per booking."""
    client = Client(base_url)
    first_slot = next(iter(slots_by_day.values()))[0]
    _status, page = client.request("GET", f"/book/details?purpose=apply&slot={first_slot}")
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()
    client.close()
    slot_ids = [slot_id for ids in slots_by_day.values() for slot_id in ids]
    return LUA_TEMPLATE.format(
        slots=",".join(map(str, slot_ids)),
        days=",".join(f'"{day.isoformat()}"' for day in sorted(slots_by_day)),
        digits=",".join(f'"{quote(ch)}"' for ch in KANA_DIGITS),
        per_thread=10_000_000,
        location=location_id,
        token=quote(token),
        name=quote("予約　太郎"),
        kana_prefix=quote("ベンチ　"),
        cookie="; ".join(f"{name}={value}" for name, value in client.cookies.items()),
    )


def wrk(options, url, script):
    command = ["wrk", "-t2", f"-c{options.clients}", f"-d{options.seconds}s", "--timeout", "10s", "-s", str(script)]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    percentiles = {share: int(micros) / 1000 for share, micros in re.findall(r"^latency-p(\d+) (\d+)$", output, re.M)}
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    statuses = collections.Counter()
    for status, count in re.findall(r"^status-(\d+) (\d+)$", output, re.M):
        statuses[int(status)] += int(count)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "seconds": options.seconds,
        "latency": percentiles,
        "errors": int(bad.group(1)) if bad else 0,
        "error_statuses": statuses,
        "socket_errors": socket_errors.group(1) if socket_errors else "none",
    }


def line(name, result, baseline=None):
    ratio = f"  {result['rps'] / baseline['rps']:5.0%} of baseline" if baseline else ""
    latency = result["latency"]
    return (
        f"{name:<28} {result['rps']:8.1f} req/s  p50 {latency['50']:7.1f} ms  p95 {latency['95']:7.1f} ms  "
        f"p99 {latency['99']:7.1f} ms  errors {result['errors']} ({_statuses(result)}socket: "
        f"{result['socket_errors']}){ratio}"
    )


def _statuses(result):
    return "".join(f"HTTP {status}: {count}; " for status, count in sorted(result["error_statuses"].items()))


MISMATCHED_SLOTS = """
SELECT COUNT(*) FROM slot
LEFT JOIN (SELECT slot_id, SUM(people) AS people FROM reservation WHERE status = 'booked' GROUP BY slot_id) AS taken
       ON taken.slot_id = slot.id
WHERE slot.booked <> COALESCE(taken.people, 0)
"""


def check_counts(url):
    """Bookings, overbooked slots, and slots whose counter differs from their bookings. The last is
    one statement, so that bookings still committing as wrk stops cannot make a false difference."""
    from database import make_database
    from models import Reservation, Slot, db

    db.initialize(make_database(url))
    with db.connection_context():
        booked = Reservation.select().where(Reservation.status == "booked").count()
        overbooked = Slot.select().where(Slot.booked > Slot.capacity).count()
        mismatched = db.execute_sql(MISMATCHED_SLOTS).fetchone()[0]
    return booked, overbooked, mismatched


if __name__ == "__main__":
    main()
