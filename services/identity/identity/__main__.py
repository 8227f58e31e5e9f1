import uvicorn

from identity.main import create_app
from identity.settings import Settings

settings = Settings()
# proxy_headers off: the client address is decided by contracts.web.client_address alone (TRUSTED_PROXY_HOPS),
# never by uvicorn believing X-Forwarded-For from a peer.
uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info", proxy_headers=False)
