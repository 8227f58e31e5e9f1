import os

import uvicorn

from contracts.logs import configure_logging
from notify.main import create_app
from notify.settings import Settings

configure_logging("notify", os.environ.get("LOG_LEVEL", "INFO"))  # JSON lines; before anything logs
settings = Settings()
# log_config=None keeps the JSON handlers; the access line is contracts.correlation's (route template, no address).
uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None, access_log=False)
