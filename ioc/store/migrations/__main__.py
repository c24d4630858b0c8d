"""Write a new store revision from the models: ``python -m ioc.store.migrations "message"``.

Upgrades a scratch SQLite database to the newest revision, then lets Alembic compare it
with the models and write ``versions/NNNN_<slug>.py``. Review the file before committing.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory

from ioc.store.engine import MIGRATIONS_DIR, alembic_config, make_engine, migrate


def main(message: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{Path(scratch) / 'scratch.sqlite'}"
        engine = make_engine(url)
        migrate(engine)
        config = alembic_config()
        heads = ScriptDirectory.from_config(config).get_heads()
        next_id = f"{len(list((MIGRATIONS_DIR / 'versions').glob('[0-9]*.py'))) + 1:04d}"
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.revision(
                config,
                message,
                autogenerate=True,
                rev_id=next_id,
                head=heads[0] if heads else "head",
            )
        engine.dispose()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit('usage: python -m ioc.store.migrations "what the revision does"')
    main(sys.argv[1])
