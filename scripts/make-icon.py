"""Draws resources/icon.png (512x512): a probe shank with three traces. Run once; the PNG is committed."""
import math, struct, zlib, pathlib

W = H = 512
img = [[(16, 19, 23, 255)] * W for _ in range(H)]

def put(x, y, c):
    if 0 <= x < W and 0 <= y < H:
        img[y][x] = c

# rounded-square background
for y in range(H):
    for x in range(W):
        dx = max(0, abs(x - 255.5) - 200); dy = max(0, abs(y - 255.5) - 200)
        img[y][x] = (23, 27, 33, 255) if dx * dx + dy * dy < 56 * 56 else (0, 0, 0, 0)
# shank
for y in range(90, 430):
    half = 22 if y < 400 else int(22 * (430 - y) / 30)
    for x in range(150 - half, 150 + half):
        put(x, y, (95, 179, 255, 255))
for k in range(10):  # contacts
    for y in range(110 + k * 28, 122 + k * 28):
        for x in range(144, 156):
            put(x, y, (16, 19, 23, 255))
# traces
for i, (col, yc) in enumerate([((217, 222, 229, 255), 170), ((240, 180, 76, 255), 256), ((217, 222, 229, 255), 342)]):
    prev = None
    for x in range(210, 440):
        t = (x - 210) / 230
        spike = 60 * math.exp(-((t - 0.3 - 0.2 * i) / 0.02) ** 2) * (1 if i != 1 else -1)
        y = int(yc + 8 * math.sin(t * 40 + i) - spike)
        lo, hi = (y, y) if prev is None else (min(prev, y), max(prev, y))
        for yy in range(lo - 2, hi + 3):
            for xx in (x, x + 1):
                put(xx, yy, col)
        prev = y

raw = b"".join(b"\x00" + bytes(v for px in row for v in px) for row in img)
def chunk(tag, data):
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 8, 6, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
pathlib.Path(__file__).resolve().parent.parent.joinpath("resources", "icon.png").write_bytes(png)
