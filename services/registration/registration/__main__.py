import gc

import uvicorn

from registration.main import create_app
from registration.settings import Settings

settings = Settings()
app = create_app(settings)
# Each registration allocates thousands of short-lived objects; with the default threshold (700)
# young-generation collections run several times per request and show up in tail latency.
gc.freeze()
gc.set_threshold(50_000, 20, 20)
# proxy_headers off: uvicorn would otherwise believe X-Forwarded-For from FORWARDED_ALLOW_IPS peers; the client
# address is decided by contracts.web.client_address alone (TRUSTED_PROXY_HOPS).
uvicorn.run(app, host=settings.host, port=settings.port, log_level="info", proxy_headers=False)
