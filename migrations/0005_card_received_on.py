# Generated from a schema diff on 2026-12-04 06:23.
from peewee import *

# 申請受付日 from the 統合端末 CSV, kept on the card: most cards have no application row in kofu
# (applications made online, by post or at a workplace).

def up(migrator, db):
    migrator.migrate(migrator.add_column('card', 'received_on', DateField(null=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('card', 'received_on'))
