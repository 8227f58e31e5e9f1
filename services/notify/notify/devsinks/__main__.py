"""``python -m notify.devsinks``: the loopback SMTP server, SMS gateway and LINE endpoint for ``make run``.
Ports from NOTIFY_SINK_HTTP_PORT (8025 default) and NOTIFY_SINK_SMTP_PORT (8026). If a port is taken (another
dev stack's sinks), it says so and idles instead of exiting, so the rest of the stack keeps running; notify's
messages then go to whichever sinks hold the ports."""

import contextlib
import logging
import os
import signal
import threading

from contracts.logs import configure_logging
from notify.devsinks.sinks import Sinks

configure_logging("notify-sinks", os.environ.get("LOG_LEVEL", "INFO"))
log = logging.getLogger("notify.devsinks")
stopped = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stopped.set())
try:
    sinks: Sinks | None = Sinks(http_port=int(os.environ.get("NOTIFY_SINK_HTTP_PORT", "8025")),
                                smtp_port=int(os.environ.get("NOTIFY_SINK_SMTP_PORT", "8026"))).start()
except (OSError, RuntimeError) as exc:
    log.warning("notify sinks not started (%s); another stack's sinks may hold the ports", exc)
    sinks = None
if sinks is not None:
    log.info("notify sinks: %s (page of what would have been sent; SMS, LINE), smtp 127.0.0.1:%s",
             sinks.http_url, sinks.smtp_port)
with contextlib.suppress(KeyboardInterrupt):
    stopped.wait()
if sinks is not None:
    sinks.stop()
