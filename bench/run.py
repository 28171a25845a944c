"""Latency, throughput and memory of the assistant, side by side with a stock `rasa init` assistant.

Both are trained and measured in this one run on this machine, one after the other (never at the same
time, so they do not share the two cores), and the table prints ours/stock ratios. No thresholds:
read the ratios.

    make bench                 # or: python -m bench.run --turns 200 --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from bot.settings import ROOT, Settings
from bot.storage import migrated_engine
from scripts.run import Process, processes, wait_until_healthy
from scripts.train import train

BIN = Path(sys.executable).parent
WORK = ROOT / "bench" / "results"
CONVERSATION_TURNS = 10
MESSAGES = [
    "hello",
    "مرحبا، عندي سؤال عن لم الشمل",
    "ሰላም ከመይ ኣለኹም",
    "salam, mikhaham dar mored nareis beporsam",
    "I got a letter from the IND, what does it mean?",
    "Wanneer krijg ik mijn beschikking?",
    "Bonjour, j'ai besoin d'un avocat",
    "are you a bot?",
]


@dataclass
class Result:
    parse_p50: float
    parse_p95: float
    turn_p50: float
    turn_p95: float
    tps_1: float
    tps_16: float
    rss_mb: float


def conversation(run: str, turn: int) -> str:
    # A new conversation every CONVERSATION_TURNS turns: real chats are short, and one endless
    # conversation would measure how Rasa reloads an ever longer tracker instead of a turn.
    return f"bench-{run}-{turn // CONVERSATION_TURNS}"


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]


async def timed_requests(client: httpx.AsyncClient, path: str, bodies: list[dict[str, str]]) -> list[float]:
    times = []
    for body in bodies:
        started = time.perf_counter()
        response = await client.post(path, json=body)
        response.raise_for_status()
        times.append((time.perf_counter() - started) * 1000)
    return times


async def throughput(client: httpx.AsyncClient, users: int, seconds: float) -> float:
    deadline = time.perf_counter() + seconds
    done = 0

    async def user(index: int) -> None:
        nonlocal done
        run = f"{uuid.uuid4().hex[:6]}-{index}"
        turn = 0
        while time.perf_counter() < deadline:
            body = {"sender": conversation(run, turn), "message": MESSAGES[(index + turn) % len(MESSAGES)]}
            (await client.post("/webhooks/rest/webhook", json=body)).raise_for_status()
            turn += 1
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(user(i) for i in range(users)))
    return done / (time.perf_counter() - started)


def resident_mb(procs: list[Process]) -> float:
    total = 0
    for proc in procs:
        if proc.popen is None:
            continue
        parent = psutil.Process(proc.popen.pid)
        total += sum(p.memory_info().rss for p in [parent, *parent.children(recursive=True)])
    return total / 2**20


async def measure(base_url: str, procs: list[Process], turns: int, seconds: float) -> Result:
    limits = httpx.Limits(max_connections=32)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as client:
        texts = [{"text": MESSAGES[i % len(MESSAGES)]} for i in range(turns)]
        await timed_requests(client, "/model/parse", texts[:10])  # warm-up: first calls build caches
        parse = await timed_requests(client, "/model/parse", texts)
        run = uuid.uuid4().hex[:6]
        bodies = [{"sender": conversation(run, i), "message": t["text"]} for i, t in enumerate(texts)]
        turn = await timed_requests(client, "/webhooks/rest/webhook", bodies)
        tps_1 = await throughput(client, 1, seconds)
        tps_16 = await throughput(client, 16, seconds)
    return Result(
        percentile(parse, 50), percentile(parse, 95), percentile(turn, 50), percentile(turn, 95),
        tps_1, tps_16, resident_mb(procs),
    )  # fmt: skip


def run_assistant(
    label: str, procs: list[Process], env: dict[str, str], base_url: str, args: argparse.Namespace
) -> Result:
    print(f"==> measuring {label}", flush=True)
    try:
        for proc in procs:
            proc.start(env)
        wait_until_healthy(procs)
        return asyncio.run(measure(base_url, procs, args.turns, args.seconds))
    finally:
        for proc in reversed(procs):
            proc.stop()


def stock_assistant(directory: Path) -> Path:
    """A fresh `rasa init` project, trained now with Rasa's default config."""
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    print("==> training the stock `rasa init` assistant (Rasa's default pipeline and policies)", flush=True)
    started = time.monotonic()
    log = WORK / "stock-train.log"
    with log.open("wb") as out:
        result = subprocess.run([str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(directory)],
                                stdout=out, stderr=out)  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"`rasa init` failed; see {log}")
    print(f"    trained in {time.monotonic() - started:.0f} s (log: {log})", flush=True)
    return next((directory / "models").glob("*.tar.gz"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=200, help="sequential requests for the latency figures")
    parser.add_argument("--seconds", type=float, default=10, help="duration of each throughput run")
    args = parser.parse_args()

    # Ports of its own, passed to the children too, so a running `make run` is not disturbed.
    overrides = {
        "BOT_RASA_PORT": "25005", "BOT_ACTION_PORT": "25055", "BOT_SIMULATOR_PORT": "25080",
        "BOT_INBOX_PORT": "25070", "BOT_STATE_DIR": str(WORK / "state"),
    }  # fmt: skip
    settings = Settings.from_env(overrides)
    ours_model = train(settings.model_dir)
    stock_model = stock_assistant(WORK / "stock")
    migrated_engine(settings.app_database_url).dispose()

    env = {**os.environ, **overrides, **settings.rasa_environment(), "PYTHONPATH": str(ROOT)}
    ours = run_assistant("our assistant", processes(settings, ours_model), env, settings.rasa_url, args)

    stock_proc = Process(
        "stock rasa server",
        [str(BIN / "rasa"), "run", "--enable-api", "--model", str(stock_model), "--interface", "127.0.0.1",
         "--port", "25006"],
        "http://127.0.0.1:25006/status",
        WORK / "state" / "logs" / "stock.log",
        cwd=stock_model.parent.parent,  # its own endpoints.yml, not ours
    )  # fmt: skip
    stock = run_assistant("stock rasa init assistant", [stock_proc], dict(os.environ), "http://127.0.0.1:25006", args)
    print(table(ours, stock, args))
    return 0


def table(ours: Result, stock: Result, args: argparse.Namespace) -> str:
    rows = [
        ("NLU parse p50 (ms)", ours.parse_p50, stock.parse_p50, "lower is better"),
        ("NLU parse p95 (ms)", ours.parse_p95, stock.parse_p95, "lower is better"),
        ("REST turn p50 (ms)", ours.turn_p50, stock.turn_p50, "lower is better"),
        ("REST turn p95 (ms)", ours.turn_p95, stock.turn_p95, "lower is better"),
        ("turns/s, 1 user", ours.tps_1, stock.tps_1, "higher is better"),
        ("turns/s, 16 users", ours.tps_16, stock.tps_16, "higher is better"),
        ("resident memory (MB)", ours.rss_mb, stock.rss_mb, "lower is better"),
    ]
    lines = [
        "",
        f"{'metric':<22} {'ours':>10} {'stock':>10} {'ours/stock':>11}"
        f"   ({args.turns} turns, {args.seconds:.0f} s runs)",
        "-" * 60,
    ]
    for name, a, b, better in rows:
        lines.append(f"{name:<22} {a:>10.1f} {b:>10.1f} {a / b:>10.2f}x   {better}")
    lines.append("Ours includes the action server (every reply is rendered there); the stock one has none.")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
