"""`/healthz`: is this server fit to take writes? For a monitor, not people (docs/operations.md).

No sign-in and no data: only whether the database answers, whether its migrations are current,
and how much disk is left beside it. 200 when all is well, 503 with the same JSON when not.
"""

import shutil
from pathlib import Path

from flask import Blueprint, current_app, jsonify

from .db import first_row, get_db, sqlite3, sqlite_version
from .version import VERSION

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    checks, healthy = {}, True
    try:
        first_row("select 1 as up")
        checks["database"] = "ok"
        # docs/operations.md, "SQLite version": 3.51.3 and later have the WAL-reset fix.
        checks["sqlite"] = sqlite_version()
        from migrations import migrations

        pending = [migration.name for migration in migrations.pending(get_db())]
        checks["migrations"] = "current" if not pending else f"{len(pending)} pending"
        healthy = not pending
    except sqlite3.Error:
        checks["database"] = "unreachable"
        healthy = False
    folder = Path(current_app.config["DATABASE"]).parent
    free_mb = shutil.disk_usage(folder).free // 2**20
    minimum = current_app.config["HEALTH_MIN_FREE_MB"]
    checks["free_disk_mb"] = free_mb
    checks["disk"] = "ok" if free_mb >= minimum else "low"
    healthy = healthy and free_mb >= minimum
    checks["version"] = VERSION
    checks["status"] = "ok" if healthy else "fail"
    return jsonify(checks), 200 if healthy else 503, {"Cache-Control": "no-store"}
