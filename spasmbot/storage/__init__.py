"""Persistence: the SQLite ``Store`` and one repository module per feature. The only place with SQL.

Imports nothing from ``telegram``. Repositories take the ``Store`` (or, inside
``store.transaction()``, its connection) and return plain dataclasses.
"""

from spasmbot.storage.db import Store, StoreError, default_db_path, epoch, from_epoch

__all__ = ["Store", "StoreError", "default_db_path", "epoch", "from_epoch"]
