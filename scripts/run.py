"""Start every process of the assistant, wait until it answers, and stop them all on Ctrl-C.

Processes: the phone simulator with the local fakes of the Telegram and Twilio APIs (local mode
only), the Rasa action server (actions/) and the Rasa server (NLU, dialogue, channels, HTTP API).
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bot import booking
from bot.settings import ROOT, Settings, SettingsError
from bot.storage import migrated_engine
from inbox.app import first_admin
from scripts.train import train

BIN = Path(sys.executable).parent
BOOKING_SETUP = ROOT / "content" / "consultation_hour.yml"


@dataclass
class Process:
    name: str
    command: list[str]
    health_url: str
    log: Path
    cwd: Path = ROOT
    popen: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self, env: dict[str, str]) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            # A new session per child, so Ctrl-C in the terminal reaches only this supervisor, which
            # then stops the children in order instead of all at once.
            self.popen = subprocess.Popen(
                self.command, cwd=self.cwd, env=env, stdout=log, stderr=log, start_new_session=True,
                preexec_fn=_die_with_parent,
            )  # fmt: skip

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.health_url, timeout=2) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def stop(self) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()


def _die_with_parent() -> None:
    """Linux: the child gets SIGTERM when this supervisor dies, even by SIGKILL, so no server is orphaned
    holding its port. Elsewhere the signal handlers in main() are all there is."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def processes(settings: Settings, model: Path) -> list[Process]:
    logs = settings.state_dir / "logs"
    rasa = [
        str(BIN / "rasa"), "run", "--enable-api", "--model", str(model),
        "--endpoints", str(settings.endpoints_file), "--credentials", str(ROOT / "credentials.yml"),
        "--interface", settings.host, "--port", str(settings.rasa_port),
    ]  # fmt: skip
    if settings.api_token:
        rasa += ["--auth-token", settings.api_token]
    status = f"{settings.rasa_url}/status{settings.api_query}"
    simulator = []
    if settings.telegram.local or settings.twilio.local:
        simulator = [
            Process(
                "phone simulator",
                [str(BIN / "python"), "-m", "simulator"],
                f"{settings.simulator_url}/health",
                logs / "simulator.log",
            )
        ]
    inbox = Process(
        "staff inbox", [str(BIN / "python"), "-m", "inbox"], f"{settings.inbox_url}/health", logs / "inbox.log"
    )
    return [
        *simulator,
        Process(
            "action server",
            [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(settings.action_port)],
            f"http://{settings.host}:{settings.action_port}/health",
            logs / "actions.log",
        ),
        Process("rasa server", rasa, status, logs / "rasa.log"),
        inbox,
    ]


def ports(settings: Settings, procs: list[Process]) -> list[int]:
    wanted = [settings.rasa_port, settings.action_port, settings.inbox_port]
    if any(p.name == "phone simulator" for p in procs):
        wanted.append(settings.simulator_port)
    return wanted


def port_in_use(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def wait_until_healthy(procs: list[Process], timeout: float = 300) -> None:
    started = time.monotonic()
    pending = list(procs)
    while pending:
        for proc in list(pending):
            if proc.popen and proc.popen.poll() is not None:
                raise RuntimeError(f"{proc.name} exited with code {proc.popen.returncode}; see {proc.log}")
            if proc.healthy():
                print(f"    {proc.name} is up ({time.monotonic() - started:.0f} s)")
                pending.remove(proc)
        if time.monotonic() - started > timeout:
            raise RuntimeError(
                f"{', '.join(p.name for p in pending)} not up after {timeout:.0f} s; see {ROOT / '.run/logs'}"
            )
        time.sleep(1)


def main() -> int:
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    model = train(settings.model_dir)
    print("==> database schema (migrations)")
    engine = migrated_engine(settings.app_database_url)
    admin = first_admin(settings, engine) if settings.mode == "local" else None
    if settings.mode == "local":
        with engine.begin() as connection:
            if booking.seed(connection, BOOKING_SETUP):
                print(f"    consultation hour: sample locations and hours from {BOOKING_SETUP.name}")
    engine.dispose()
    env = {**os.environ, **settings.rasa_environment(), "PYTHONPATH": str(ROOT)}
    procs = processes(settings, model)
    busy = [port for port in ports(settings, procs) if port_in_use(settings.host, port)]
    if busy:
        print(
            f"error: port(s) {', '.join(map(str, busy))} on {settings.host} are in use — is another `make run` "
            "still running? Stop it, or choose other ports (BOT_RASA_PORT, BOT_ACTION_PORT, BOT_INBOX_PORT, "
            "BOT_SIMULATOR_PORT).",
            file=sys.stderr,
        )
        return 1
    print(f"==> starting ({settings.mode} mode); logs in {settings.state_dir / 'logs'}")
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)  # the terminal closed: stop the children too, leave no orphans
    try:
        for proc in procs:
            proc.start(env)
        wait_until_healthy(procs)
        token = settings.api_query
        lines = ["", "==> the assistant is running"]
        if settings.telegram.local or settings.twilio.local:
            lines.append(
                f"    phone simulator: {settings.simulator_url}/   (open it in a browser: Telegram and WhatsApp)"
            )
        lines.append(f"    staff inbox:     {settings.inbox_url}/")
        if admin:
            lines.append(f"                     first admin: {admin[0]} / {admin[1]}")
        elif settings.mode == "production":
            lines.append("                     first admin: python -m inbox create-admin EMAIL NAME")
        lines += [
            f"    talk to it:      POST {settings.rasa_url}/webhooks/rest/webhook  "
            '{"sender": "me", "message": "مرحبا"}',
            f'    parse only:      POST {settings.rasa_url}/model/parse{token}  {{"text": "ሰላም"}}',
            f"    conversation:    GET  {settings.rasa_url}/conversations/me/tracker{token}",
            "    stop:            Ctrl-C",
            "",
        ]
        print("\n".join(lines), flush=True)
        while not stopping:
            for proc in procs:
                if proc.popen and proc.popen.poll() is not None:
                    print(f"error: {proc.name} stopped (code {proc.popen.returncode}); see {proc.log}", file=sys.stderr)
                    stopping = True
            time.sleep(0.5)
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        print("==> stopping")
        for proc in reversed(procs):
            proc.stop()
        print("==> stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
