import uvicorn

from identity.main import create_app
from identity.settings import Settings

settings = Settings()
uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")
