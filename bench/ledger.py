"""The three figures of issue 5 in one command: the 統合端末 CSV import (100,000 rows against
pandas.read_csv), QR decoding of a scanned カード発行一覧表 page, and 受領書 pages per second.
Each part is its own script, runnable alone with more options.

    .venv/bin/python bench/ledger.py [--postgres postgresql://...]
"""

import argparse
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PARTS = (
    ("統合端末CSVの取込", "ledger_import.py"),
    ("カード発行一覧表のQR読取", "qr_decode.py"),
    ("受領書PDF", "card_pdfs.py"),
)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", metavar="URL", help="run the import on this PostgreSQL server as well")
    options = parser.parse_args()
    for title, script in PARTS:
        print(f"== {title} ({script})", flush=True)
        extra = ["--postgres", options.postgres] if options.postgres and script == "ledger_import.py" else []
        subprocess.run([sys.executable, str(BENCH / script), *extra], check=True)


if __name__ == "__main__":
    main()
