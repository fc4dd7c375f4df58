"""Fictitious 統合端末 CSV files in the default profile's layout, for tests and the benchmark."""

import csv
import datetime
import io
import random

import jaconv

from demo_data import FAMILY_NAMES, GIVEN_NAMES, STREETS

HEADER = (
    "申請書ID",
    "氏名",
    "氏名フリガナ",
    "生年月日",
    "性別",
    "住所",
    "交付通知書番号",
    "カード有効期限",
    "申請受付日",
    "来庁区分",
    "発行区分",
    "特急発行",
    "納品日",
)
NOTICE_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ23456789"


def card_rows(count, seed=5):
    """``count`` valid rows as dicts keyed by column name; 申請書ID and notice numbers are unique."""
    rng = random.Random(seed)
    return [_row(rng, index) for index in range(count)]


def _row(rng, index):
    family, family_kana = rng.choice(FAMILY_NAMES)
    given, given_kana = rng.choice(GIVEN_NAMES)
    kana = f"{family_kana}\u3000{given_kana}"
    birth = datetime.date(1930, 1, 1) + datetime.timedelta(days=rng.randrange(33000))
    return {
        "申請書ID": f"{rng.randrange(10**12):012d}{index:011d}",
        "氏名": f"{family}\u3000{given}",
        "氏名フリガナ": jaconv.z2h(kana, kana=True) if index % 10 == 3 else kana,
        "生年月日": _written_date(birth, index),
        "性別": rng.choice(("男", "女")),
        "住所": f"安芸市{rng.choice(STREETS)}{rng.randrange(1, 30)}番{rng.randrange(1, 20)}号",
        "交付通知書番号": _notice_number(index),
        "カード有効期限": f"{birth.year + 40}/{birth.month:02d}/{min(birth.day, 28):02d}",
        "申請受付日": "R8.5.20" if index % 7 == 0 else "2026/05/12",
        "来庁区分": "申請時来庁" if index % 4 == 0 else "交付時来庁",
        "発行区分": rng.choice(("新規", "新規", "更新", "再交付")),
        "特急発行": "有" if index % 50 == 0 else "",
        "納品日": "2026/06/22",
    }


def _written_date(day, index):
    """Most dates in 西暦; every 20th in 和暦 as the terminal sometimes writes them."""
    if index % 20 == 0 and datetime.date(1926, 12, 25) <= day <= datetime.date(1989, 1, 7):
        return f"昭和{day.year - 1925}年{day.month}月{day.day}日"
    if index % 20 == 0 and datetime.date(1989, 1, 8) <= day <= datetime.date(2019, 4, 30):
        return f"H{day.year - 1988}.{day.month}.{day.day}"
    return day.strftime("%Y/%m/%d")


def _notice_number(index):
    """Unique for the first million rows: the digits alone never repeat (7919 is prime to 10⁶)."""
    letters = "".join(NOTICE_LETTERS[(index // 34**power) % 34] for power in range(3))
    return f"{letters}-{index * 7919 % 10**6:06d}"


def csv_bytes(rows, encoding="cp932", header=HEADER):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([row.get(column, "") for column in header] for row in rows)
    return buffer.getvalue().encode(encoding)
