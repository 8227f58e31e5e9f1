import os

import uvicorn

from contracts.logs import configure_logging
from identity.main import create_app
from identity.settings import Settings

configure_logging("identity", os.environ.get("LOG_LEVEL", "INFO"))  # JSON lines; before anything logs
settings = Settings()
# proxy_headers off: the client address is decided by contracts.web.client_address alone (TRUSTED_PROXY_HOPS),
# never by uvicorn believing X-Forwarded-For from a peer.
# log_config=None keeps the JSON handlers; the access line is contracts.correlation's (route template, no address).
uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None, access_log=False,
            proxy_headers=False)
