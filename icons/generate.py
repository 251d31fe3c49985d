"""Draws Latchkey's icon (a keyhole on a rounded square) as PNGs, with no dependencies.

Run `python3 icons/generate.py` after changing it; the PNGs are committed.
"""

import math
import struct
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
BACKGROUND = (0x1F, 0x4E, 0x8C)
FOREGROUND = (0xF4, 0xF1, 0xE8)


def coverage(size, x, y):
    """Returns (background alpha, keyhole alpha) at pixel centre (x, y), supersampled 4x4."""
    bg = fg = 0.0
    samples = 4
    for sy in range(samples):
        for sx in range(samples):
            px = (x + (sx + 0.5) / samples) / size
            py = (y + (sy + 0.5) / samples) / size
            if inside_rounded_square(px, py, 0.04, 0.22):
                bg += 1
                if inside_keyhole(px, py):
                    fg += 1
    n = samples * samples
    return bg / n, fg / n


def inside_rounded_square(px, py, margin, radius):
    lo, hi = margin, 1 - margin
    if not (lo <= px <= hi and lo <= py <= hi):
        return False
    cx = min(max(px, lo + radius), hi - radius)
    cy = min(max(py, lo + radius), hi - radius)
    return math.hypot(px - cx, py - cy) <= radius


def inside_keyhole(px, py):
    if math.hypot(px - 0.5, py - 0.40) <= 0.15:
        return True
    # A tapering slot below the circle.
    if 0.40 <= py <= 0.76:
        half = 0.055 + (py - 0.40) * 0.12
        return abs(px - 0.5) <= half
    return False


def png(size):
    rows = []
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            bg, fg = coverage(size, x, y)
            colour = [round(b * (1 - fg / bg if bg else 1) + f * (fg / bg if bg else 0))
                      for b, f in zip(BACKGROUND, FOREGROUND)]
            row += bytes(colour) + bytes([round(255 * bg)])
        rows.append(bytes(row))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b""))


if __name__ == "__main__":
    for name, size in [("32x32.png", 32), ("128x128.png", 128), ("128x128@2x.png", 256), ("icon.png", 512)]:
        (HERE / name).write_bytes(png(size))
        print("wrote", name)
