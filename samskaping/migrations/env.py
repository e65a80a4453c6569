"""Alembic environment: migrations run on the connection :func:`samskaping.storage.upgrade` passes in.

To change the schema, change the tables in ``samskaping/storage_schema.py`` and add a migration
to ``versions/`` (``alembic revision`` with this folder as ``script_location``);
``tests/test_storage.py`` checks that the migrated database matches the tables.
"""

from alembic import context

from samskaping.storage_schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
