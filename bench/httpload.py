"""A small, bounded HTTP/1.1 load client on asyncio (keep-alive, JSON bodies), for loopback only.

Hand-written so the benchmark needs nothing beyond the standard library and measures the
server, not a heavy client: one connection per simulated test-taker.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field


class HttpError(Exception):
    pass


class Conn:
    """One keep-alive connection to ``host:port`` (reconnects when the server closed it)."""

    def __init__(self, host: str, port: int, headers: dict[str, str] | None = None):
        self.host, self.port = host, port
        self.headers = headers or {}
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _connect(self):
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def close(self):
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except (ConnectionError, OSError):
                pass
            self.writer = None

    async def request(self, method: str, path: str, body=None, timeout: float = 30.0) -> tuple[int, dict | None]:
        """Send one request; return (status, parsed JSON or None). Retries once on a stale connection."""
        data = b"" if body is None else json.dumps(body).encode()
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Accept: application/json", f"Content-Length: {len(data)}"]
        if body is not None:
            head.append("Content-Type: application/json")
        head += [f"{k}: {v}" for k, v in self.headers.items()]
        raw = ("\r\n".join(head) + "\r\n\r\n").encode() + data
        for attempt in (1, 2):
            try:
                if self.writer is None:
                    await self._connect()
                self.writer.write(raw)
                await self.writer.drain()
                return await asyncio.wait_for(self._read_response(), timeout)
            except (ConnectionError, asyncio.IncompleteReadError, OSError) as exc:
                await self.close()
                if attempt == 2:
                    raise HttpError(str(exc)) from exc
        raise HttpError("unreachable")

    async def _read_response(self) -> tuple[int, dict | None]:
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("connection closed")
        status = int(status_line.split()[1])
        length = 0
        close = False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value.strip())
            elif name == "connection" and value.strip().lower() == "close":
                close = True
        payload = await self.reader.readexactly(length) if length else b""
        if close:
            await self.close()
        try:
            return status, json.loads(payload) if payload else None
        except ValueError:
            return status, None


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)
    ended: float = 0.0

    def add(self, seconds: float, status: int | None):
        if status is None or status >= 400:
            self.errors += 1
        else:
            self.latencies.append(seconds)
        if status is not None:
            self.statuses[status] = self.statuses.get(status, 0) + 1

    def pct(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        xs = sorted(self.latencies)
        return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] * 1000

    @property
    def count(self) -> int:
        return len(self.latencies)

    def rate(self) -> float:
        span = (self.ended or time.perf_counter()) - self.started
        return self.count / span if span > 0 else 0.0
