#!/usr/bin/env python3
"""Reads a screenshot (PNG, zlib only) of a report and checks its trend
chart by the pixels: the bars (the count, #c0392b) are there, the amount's
markers and line (#1f4e8c) are there in the chart above them and never on
the bars. Prints what it found; exits 1 when a check fails.

    png-chart.py FILE.png [--min-bars N] [--min-line N]
"""
import sys
import zlib

BAR = (0xC0, 0x39, 0x2B)
LINE = (0x1F, 0x4E, 0x8C)


def read_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit("%s: not a PNG" % path)
    pos, idat, hdr = 8, b"", None
    while pos < len(data):
        n = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            hdr = body
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    w, h = int.from_bytes(hdr[0:4], "big"), int.from_bytes(hdr[4:8], "big")
    depth, ctype, interlace = hdr[8], hdr[9], hdr[12]
    if depth != 8 or ctype not in (2, 6) or interlace:
        sys.exit("%s: PNG kind %d/%d/%d not read" % (path, depth, ctype, interlace))
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(h):
        f = raw[i]
        line = bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def main():
    args = sys.argv[1:]
    path = args[0]
    min_bars = int(args[args.index("--min-bars") + 1]) if "--min-bars" in args else 1
    min_line = int(args[args.index("--min-line") + 1]) if "--min-line" in args else 20
    w, h, bpp, rows = read_png(path)
    bar, line = [], []
    for y in range(h):
        r = rows[y]
        for x in range(w):
            px = tuple(r[x * bpp:x * bpp + 3])
            if px == BAR:
                bar.append((x, y))
            elif px == LINE:
                line.append((x, y))
    # a bar: at least 6 adjacent columns with the bar colour from the same
    # top row to the same bottom row, 8 pixels or more of it each (a
    # letter's stem is narrower; a marker drawn on a bar does not split it)
    cols = {}
    for x, y in bar:
        cols.setdefault(x, []).append(y)
    span = {x: (min(ys), max(ys)) for x, ys in cols.items() if len(ys) >= 8}
    bars, x = [], 0
    for x in sorted(span):
        if bars and bars[-1][1] == x - 1 and span[bars[-1][0]] == span[x]:
            bars[-1][1] = x
        else:
            bars.append([x, x])
    bars = [b for b in bars if b[1] - b[0] + 1 >= 6]
    if not bars:
        print("no bars (%d pixels of the bar colour)" % len(bar))
        return 1
    x0, x1 = bars[0][0], bars[-1][1]
    top = min(span[b[0]][0] for b in bars)
    bottom = max(span[b[0]][1] for b in bars)
    nbars = len(bars)
    # the chart: the plot's width left of the last bar, up to 100 pixels above the bars
    inchart = [(x, y) for x, y in line if x0 - 640 <= x <= x1 + 20 and top - 100 <= y <= bottom]
    print("bars %d (columns %d-%d, rows %d-%d); amount pixels in the chart %d" %
          (nbars, x0, x1, top, bottom, len(inchart)))
    ok = True
    if nbars < min_bars:
        print("fewer bars than %d" % min_bars)
        ok = False
    if len(inchart) < min_line:
        print("the amount series is not visible (fewer than %d pixels)" % min_line)
        ok = False
    on_bars = [p for p in inchart if p[1] >= top]
    if on_bars:
        print("%d amount pixels lie on the bars' rows (first %s)" % (len(on_bars), on_bars[0]))
        ok = False
    return 0 if ok else 1


sys.exit(main())
