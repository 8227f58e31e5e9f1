"""Closed-loop HTTP load: ``concurrency`` clients, each sending its next request when the last one answered.

Two clients: httpx (what a Python API client would use) and a minimal HTTP/1.1 keep-alive client on
asyncio streams. On a small machine the load generator shares the cores with the service, and
httpx spends several milliseconds of CPU per request; the raw client spends a few hundredths, so
its figures say more about the service.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

Body = Callable[[int], dict[str, Any]]


@dataclass
class Run:
    name: str
    latencies: list[float]
    wall: float
    failures: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    cpu_ms: dict[str, float] = field(default_factory=dict)  # CPU per registration, by process

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.wall

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    def line(self) -> str:
        cpu = ", ".join(f"{k} {v:.2f}" for k, v in self.cpu_ms.items())
        failed = f"  {self.failures} failed {self.statuses}" if self.failures else ""
        return (f"{self.name:<12} {len(self.latencies):>5} ok  {self.per_second:7.1f}/s  p50 {self.pct(0.50):6.1f} ms  "
                f"p99 {self.pct(0.99):6.1f} ms  mean {statistics.fmean(self.latencies) * 1000:6.1f} ms  "
                f"CPU ms/registration: {cpu}{failed}")


async def _closed_loop(name: str, numbers: range, concurrency: int,
                       connect: Callable[[], Any], send: Callable[[Any, int], Any]) -> Run:
    todo = iter(numbers)
    run = Run(name, [], 0.0)

    async def client() -> None:
        conn = await connect()
        try:
            for n in todo:
                started = time.perf_counter()
                status = await send(conn, n)
                if status == 201:
                    run.latencies.append(time.perf_counter() - started)
                else:
                    run.failures += 1
                    run.statuses[status] = run.statuses.get(status, 0) + 1
        finally:
            await conn.aclose() if hasattr(conn, "aclose") else conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    run.wall = time.perf_counter() - started
    return run


def httpx_load(url: str, path: str, token: str, body: Body, numbers: range, concurrency: int) -> Run:
    headers = {"Authorization": f"Bearer {token}"}

    async def connect() -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=url, headers=headers, timeout=30)

    async def send(client: httpx.AsyncClient, n: int) -> int:
        return (await client.post(path, json=body(n))).status_code

    return asyncio.run(_closed_loop("http (httpx)", numbers, concurrency, connect, send))


class _RawConnection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    def close(self) -> None:
        self.writer.close()


def raw_load(url: str, path: str, token: str, body: Body, numbers: range, concurrency: int) -> Run:
    parts = urlsplit(url)
    head = (f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nAuthorization: Bearer {token}\r\n"
            "Content-Type: application/json\r\nContent-Length: ").encode()

    async def connect() -> _RawConnection:
        return _RawConnection(*await asyncio.open_connection(parts.hostname, parts.port))

    async def send(conn: _RawConnection, n: int) -> int:
        payload = json.dumps(body(n), ensure_ascii=False).encode()
        conn.writer.write(head + str(len(payload)).encode() + b"\r\n\r\n" + payload)
        status_line = await conn.reader.readline()
        length = 0
        while (line := await conn.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        await conn.reader.readexactly(length)
        return int(status_line.split()[1])

    return asyncio.run(_closed_loop("http (raw)", numbers, concurrency, connect, send))
