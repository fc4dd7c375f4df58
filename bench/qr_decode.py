"""Benchmark of QR decoding for scanned カード発行一覧表 (issue 5): a generated A4 page at 200 dpi
with 20 codes (3-pixel modules, about 2 cm a code as printed), saved as JPEG quality 70, read
through ``devices.qr_decode.decode_file`` by zxing-cpp and by pyzbar. Goal: 20/20 in under 200 ms.

    .venv/bin/python bench/qr_decode.py [--runs N] [--module-px N] [--quality N]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devices.qr_decode import DECODERS, decode_file  # noqa: E402
from tests.qr_codes import a4_page, image_bytes, payload  # noqa: E402

CODES = 20
GOAL_MS = 200
LIMITS = {"max_bytes": 50 * 1024 * 1024, "max_pages": 1}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--module-px", type=int, default=3)
    parser.add_argument("--quality", type=int, default=70)
    arguments = parser.parse_args()
    texts = [payload(number, visit="1" if number % 4 == 0 else "2") for number in range(CODES)]
    data = image_bytes(a4_page(texts, dpi=200, module_px=arguments.module_px), "JPEG", quality=arguments.quality)
    print(
        f"A4 200dpi, QRコード {CODES}個, モジュール {arguments.module_px}px, JPEG 品質{arguments.quality}"
        f" ({len(data) / 1024:.0f} KB), {arguments.runs}回の中央値"
    )
    for decoder in DECODERS:
        found, timings = 0, []
        for _ in range(arguments.runs):
            started = time.perf_counter()
            (page,) = decode_file(data, decoder, **LIMITS)
            timings.append((time.perf_counter() - started) * 1000)
            found = sum(1 for text in page.texts if text in texts)
        milliseconds = statistics.median(timings)
        verdict = "達成" if found == CODES and milliseconds < GOAL_MS else "未達"
        goal = f"目標 {CODES}/{CODES}・{GOAL_MS} ms未満: {verdict}"
        print(f"{decoder:<7} {found}/{CODES} 個, {milliseconds:6.1f} ms/ページ ({goal})")


if __name__ == "__main__":
    main()
