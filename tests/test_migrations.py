from playhouse.migrations import Runner
from playhouse.schema_diff import diff_models

from cli import MIGRATIONS
from models import ALL_MODELS


def test_migrated_schema_matches_the_models(database):
    """After every migration, does the database have exactly the tables, columns and indexes of models.py?"""
    assert not diff_models(database.obj, list(ALL_MODELS))


def test_every_migration_reverts_and_reapplies(database):
    """Can each migration be rolled back and applied again, ending where the models are?"""
    runner = Runner(database.obj, directory=str(MIGRATIONS))
    applied = [migration.name for migration in runner.status() if migration.applied]
    reverted = runner.down(target=applied[0])
    assert reverted == list(reversed(applied))
    assert runner.up() == applied
    assert not diff_models(database.obj, list(ALL_MODELS))
