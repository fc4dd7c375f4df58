"""Browser tests: Debian's Chromium driven by pytest-playwright against the app served by waitress."""

import contextlib
import threading

import pytest
import waitress

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def live_server(app):
    """The app on a free loopback port; yields its base URL."""
    with serving(app) as url:
        yield url


@contextlib.contextmanager
def serving(wsgi_app):
    """``wsgi_app`` served by waitress on a free loopback port, for the length of the block."""
    server = waitress.create_server(wsgi_app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.task_dispatcher.shutdown()
    # Close every channel (the browser may still hold keep-alive connections) from inside the
    # server's own loop, which then has nothing left to watch and returns.
    server.trigger.pull_trigger(lambda: [channel.close() for channel in list(server._map.values())])
    thread.join(timeout=10)
