# Generated from a schema diff on 2026-12-03 19:53.
from peewee import *

# The same person is the same kana_key and birth_date: one index for both, so that the duplicate
# check inside a booking transaction finds the person at once (kana_key alone still uses it).

def up(migrator, db):
    migrator.migrate(migrator.drop_index('application', 'application_kana_key'))
    migrator.migrate(migrator.drop_index('card', 'card_kana_key'))
    migrator.migrate(migrator.drop_index('reservation', 'reservation_kana_key'))
    migrator.migrate(migrator.add_index('application', ('kana_key', 'birth_date')))
    migrator.migrate(migrator.add_index('card', ('kana_key', 'birth_date')))
    migrator.migrate(migrator.add_index('reservation', ('kana_key', 'birth_date')))


def down(migrator, db):
    migrator.migrate(migrator.drop_index('reservation', 'reservation_kana_key_birth_date'))
    migrator.migrate(migrator.drop_index('card', 'card_kana_key_birth_date'))
    migrator.migrate(migrator.drop_index('application', 'application_kana_key_birth_date'))
    migrator.migrate(migrator.add_index('reservation', ('kana_key',)))
    migrator.migrate(migrator.add_index('card', ('kana_key',)))
    migrator.migrate(migrator.add_index('application', ('kana_key',)))
