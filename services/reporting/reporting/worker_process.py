"""What the stream worker needs as a process, apart from its topology (``reporting.streams``): JSON logs under
Faust's worker, contract-breaking events to the dead-letter topic, and its ``/metrics`` port."""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import faust
from faust.sensors.prometheus import FaustMetrics, PrometheusMonitor
from prometheus_client import REGISTRY, CollectorRegistry, start_http_server

from contracts.dead_letters import DeadLetterPublisher
from contracts.logs import configure_logging, correlation_from_headers

if TYPE_CHECKING:
    from reporting.totals.handlers import Streams

FAUST_METRICS_PREFIX = "reporting_worker"


GC_THRESHOLDS = (20_000, 10, 10)  # Python's defaults are (700, 10, 10)


class JsonLogWorker(faust.Worker):
    """Faust's worker, logging JSON lines like every other process (``contracts.logs``). Set up once Faust has
    set up its own logging, replacing its handler, and written to the real stderr: Faust's redirect of stdout and
    stderr into the logger is off (the CLI passes ``redirect_stdouts=True`` itself, so it is overridden here), as
    a handler writing into it would loop."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **{**kwargs, "redirect_stdouts": False})

    async def on_startup_finished(self) -> None:
        """Once started, what the process built so far is left out of Python's cycle collection, which then runs
        about a thirtieth as often: the totals' handlers build short-lived dicts by the million, and with the
        defaults full collections took ~25 % of a replay's time (a million events: 16.5 s of ~57 s), more than
        the fetches. Cycles still get collected, a little later. docs/benchmarks.md."""
        await super().on_startup_finished()
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)

    def on_setup_root_logger(self, logger: logging.Logger, level: int) -> None:
        super().on_setup_root_logger(logger, level)
        for handler in list(logger.handlers):
            logger.removeHandler(handler)  # Faust's coloured lines: this process writes JSON lines only
        configure_logging("reporting-worker", logging.getLevelName(level or logging.INFO), stream=sys.__stderr__)


def dead_letters(bootstrap: str, consumer: str) -> Callable[[Any, str], Awaitable[None]]:
    """Sends a contract-breaking event to ``event-dead-letters`` (a synchronous publisher, so in a thread);
    raises when the broker does not acknowledge it, so the worker crashes with the event unacked."""
    publisher = DeadLetterPublisher(bootstrap, consumer)

    async def reject(message: Any, reason: str) -> None:
        raw = message.value if isinstance(message.value, bytes) else None
        await asyncio.to_thread(publisher.publish, message.topic, message.partition, message.offset, raw, reason,
                                correlation_from_headers(message.headers))

    return reject


def expose_metrics(streams: Streams, port: int, bind: str, registry: CollectorRegistry = REGISTRY) -> None:
    """Faust's sensors (``reporting_worker_*``) and the worker's own counters on ``/metrics``, served by
    prometheus_client's small server (Faust's web server stays off: it would also serve its table pages)."""
    streams.app.monitor = PrometheusMonitor(metrics=FaustMetrics.create(registry, FAUST_METRICS_PREFIX))
    start_http_server(port, addr=bind, registry=registry)
