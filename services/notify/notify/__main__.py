import uvicorn

from notify.main import create_app
from notify.settings import Settings

settings = Settings()
uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")
