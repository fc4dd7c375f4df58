# Generated from a schema diff on 2026-12-03 17:04.
from peewee import *

def up(migrator, db):
    migrator.migrate(migrator.add_column('fee_payment', 'submission_token', CharField(null=True, max_length=64)))
    migrator.migrate(migrator.add_index('fee_payment', ('submission_token', 'kind'), unique=True))


def down(migrator, db):
    migrator.migrate(migrator.drop_index('fee_payment', 'fee_payment_submission_token_kind'))
    migrator.migrate(migrator.drop_column('fee_payment', 'submission_token'))
