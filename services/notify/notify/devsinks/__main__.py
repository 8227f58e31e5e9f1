"""``python -m notify.devsinks``: the loopback SMTP server, SMS gateway and LINE endpoint for ``make run``.
Ports from NOTIFY_SINK_HTTP_PORT (8025 default) and NOTIFY_SINK_SMTP_PORT (8026). If a port is taken (another
dev stack's sinks), it says so and idles instead of exiting, so the rest of the stack keeps running; notify's
messages then go to whichever sinks hold the ports."""

import contextlib
import os
import signal
import sys
import threading

from notify.devsinks.sinks import Sinks

stopped = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stopped.set())
try:
    sinks: Sinks | None = Sinks(http_port=int(os.environ.get("NOTIFY_SINK_HTTP_PORT", "8025")),
                                smtp_port=int(os.environ.get("NOTIFY_SINK_SMTP_PORT", "8026"))).start()
except (OSError, RuntimeError) as exc:
    print(f"notify sinks not started ({exc}); another stack's sinks may hold the ports", file=sys.stderr, flush=True)
    sinks = None
if sinks is not None:
    print(f"notify sinks: {sinks.http_url} (page of what would have been sent; SMS, LINE), "
          f"smtp 127.0.0.1:{sinks.smtp_port}", flush=True)
with contextlib.suppress(KeyboardInterrupt):
    stopped.wait()
if sinks is not None:
    sinks.stop()
