"""A private virtual X display (Xvfb) for tests that start the real app as a process.

Xvfb picks a free display number itself (``-displayfd``), so two runs, or a
stale lock file from a killed one, never collide; the display is handed out
only once it accepts a connection. ``-noreset`` keeps the server as it is
when a short-lived client such as ``xdotool`` disconnects. Waits are bounded
by a generous deadline that only guards against a hang.
"""

from __future__ import annotations

import os
import select
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

XVFB = ["Xvfb", "-nolisten", "tcp", "-noreset"]
START_DEADLINE_S = 120.0  # a hang guard, not a speed requirement


def _read_display_number(proc: subprocess.Popen, fd: int, deadline: float) -> str:
    buf = b""
    while b"\n" not in buf:
        if proc.poll() is not None:
            return ""
        left = deadline - time.monotonic()
        if left <= 0:
            return ""
        ready, _, _ = select.select([fd], [], [], min(left, 0.5))
        if ready:
            chunk = os.read(fd, 64)
            if not chunk:
                return ""
            buf += chunk
    return buf.split(b"\n", 1)[0].decode().strip()


def _accepts_clients(number: str) -> bool:
    path = f"/tmp/.X11-unix/X{number}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        try:
            s.connect(path)
        except OSError:
            return False
    return True


@contextmanager
def virtual_display(screen: str = "1920x1080x24") -> Iterator[str]:
    """Yield ``":N"`` for a running Xvfb; stops it afterwards. RuntimeError says why not."""
    if shutil.which("Xvfb") is None:
        raise FileNotFoundError("Xvfb is not installed (bash scripts/setup.sh --test installs it)")
    deadline = time.monotonic() + START_DEADLINE_S
    errors = []
    while time.monotonic() < deadline:
        with tempfile.TemporaryFile() as log:
            r, w = os.pipe()
            proc = subprocess.Popen(
                [*XVFB, "-displayfd", str(w), "-screen", "0", screen],
                pass_fds=(w,),
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
            os.close(w)
            try:
                number = _read_display_number(proc, r, deadline)
            finally:
                os.close(r)
            while number and proc.poll() is None and not _accepts_clients(number):
                if time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            if number and proc.poll() is None and _accepts_clients(number):
                try:
                    yield f":{number}"
                finally:
                    proc.terminate()
                    try:
                        proc.wait(10)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        proc.wait()
                return
            # It died or never became ready (e.g. lost a race for a number): retry.
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            log.seek(0)
            errors.append(log.read().decode(errors="replace")[-500:])
    raise RuntimeError("Xvfb did not start:\n" + "\n---\n".join(errors))


def _window_title(pid: int, env: dict[str, str]) -> str | None:
    """The title of the process's visible window (xdotool), None while there is none."""
    found = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--pid", str(pid)],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout.split()
    if not found:
        return None
    name = subprocess.run(
        ["xdotool", "getwindowname", found[0]], env=env, capture_output=True, text=True, timeout=30
    )
    return name.stdout.rstrip("\n") if name.returncode == 0 else None


def run_app_on_display(
    cmd: list[str], *, cwd: str, display: str, workdir: str, env: dict[str, str] | None = None
) -> tuple[dict, str, str]:
    """Start the app (``cmd``) on ``display``, wait until its window is visible and it has
    saved a screenshot of itself with its state, then stop it.

    Returns (state, window title, the app's output); state is what the app wrote
    beside ``<workdir>/screen.png`` (view, lesson, slide...). The app runs with
    its own empty settings, never the user's.
    """
    import json

    shot = os.path.join(workdir, "screen.png")
    base = {
        k: v
        for k, v in (env or os.environ).items()
        if not k.startswith(("QT_", "XDG_CONFIG", "WAYLAND", "CONVVIZ_"))
    }
    base.update(
        DISPLAY=display,
        QT_QPA_PLATFORM="xcb",
        XDG_CONFIG_HOME=os.path.join(workdir, "config"),
        CONVVIZ_SCREENSHOT=shot,
        CONVVIZ_SCREENSHOT_MS="1500",
        CONVVIZ_EXIT_AFTER_MS="600000",  # an orphan never outlives a broken test for long
    )
    title = None
    with tempfile.TemporaryFile(mode="w+") as out_file:
        app = subprocess.Popen(cmd, cwd=cwd, env=base, stdout=out_file, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + START_DEADLINE_S
            while time.monotonic() < deadline and app.poll() is None:
                title = title or _window_title(app.pid, base)
                if title is not None and os.path.exists(shot + ".json"):
                    break
                time.sleep(0.2)
            running = app.poll() is None
        finally:
            app.terminate()
            try:
                app.wait(30)
            except subprocess.TimeoutExpired:
                app.kill()
                app.wait()
        out_file.seek(0)
        output = out_file.read()
    if not running:
        raise AssertionError(f"the app exited early ({app.returncode}):\n{output}")
    if title is None:
        raise AssertionError(f"no visible window appeared:\n{output}")
    if not os.path.exists(shot + ".json"):
        raise AssertionError(f"the app saved no screenshot:\n{output}")
    with open(shot + ".json", encoding="utf-8") as f:
        state = json.load(f)
    return state, title, output
