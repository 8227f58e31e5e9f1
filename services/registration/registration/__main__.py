import gc
import os

import uvicorn

from contracts.logs import configure_logging
from registration.main import create_app
from registration.settings import Settings

configure_logging("registration", os.environ.get("LOG_LEVEL", "INFO"))  # JSON lines; before anything logs
settings = Settings()
app = create_app(settings)
# Each registration allocates thousands of short-lived objects; with the default threshold (700)
# young-generation collections run several times per request and show up in tail latency.
gc.freeze()
gc.set_threshold(50_000, 20, 20)
# proxy_headers off: uvicorn would otherwise believe X-Forwarded-For from FORWARDED_ALLOW_IPS peers; the client
# address is decided by contracts.web.client_address alone (TRUSTED_PROXY_HOPS).
# log_config=None keeps the JSON handlers; the access line is contracts.correlation's (route template, no address).
uvicorn.run(app, host=settings.host, port=settings.port, log_config=None, access_log=False, proxy_headers=False)
