import uvicorn

from registration.main import create_app
from registration.settings import Settings

settings = Settings()
uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")
