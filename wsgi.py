from quota_app import create_app
from quota_app.ops.logs import configure_logging
from quota_app.settings import load_settings

settings = load_settings()
configure_logging(settings)  # the process's logs (JSON in production); create_app() itself sets up nothing
app = create_app(settings)
