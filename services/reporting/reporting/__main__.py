import uvicorn

from reporting.main import create_app
from reporting.settings import Settings

settings = Settings()
uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")
