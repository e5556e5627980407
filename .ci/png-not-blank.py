#!/usr/bin/env python3
"""Exit 0 when a PNG (8-bit RGB or RGBA, as Chromium writes screenshots)
has more than one colour, 1 when it is one colour (a blank page), 2 when it
cannot be read. Standard library only: the scanlines are unfiltered here."""
import struct
import sys
import zlib


def pixels(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour = header[0], header[1], header[2], header[3]
    if depth != 8 or colour not in (2, 6):
        raise ValueError(f"unsupported PNG: depth {depth}, colour type {colour}")
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = previous[i]
            c = previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        yield from (bytes(line[x:x + bpp]) for x in range(0, stride, bpp))
        previous = line


try:
    colours = set()
    for px in pixels(sys.argv[1]):
        colours.add(px)
        if len(colours) > 1:
            break
except (OSError, ValueError, zlib.error, struct.error, TypeError) as e:
    print(f"cannot read {sys.argv[1]}: {e}")
    sys.exit(2)
if len(colours) <= 1:
    print(f"{sys.argv[1]} is one colour: a blank page")
    sys.exit(1)
print(f"{sys.argv[1]}: not blank")
