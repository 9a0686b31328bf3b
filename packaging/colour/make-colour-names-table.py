#!/usr/bin/env python3
"""Derives models/colour_names.lcn from the colour-name tables of ../shared/data/colour-names.

The tables (Yu, Zhang, van de Weijer et al., MIT licence: LICENSE beside them, shipped as
models/colour_names.LICENSE) give, for each cell of a CIELAB grid, the probability that
people call that colour "black", "blue", ... Lookbook embeds them in the program, so the
product never reads ../shared at run time. This only changes the container:

    magic "LKBKCNAM", u32 version 2, u32 cells (35280), u32 names (36), then, compressed
    as Qt's qUncompress reads it (u32 big-endian length, then a zlib stream), cells x names
    u8: the 11-name probabilities, then the 25-name scores divided by their row sum, each
    times 255 and rounded. Compressed, it is 0.23 MB instead of 1.27 MB.

Usage: make-colour-names-table.py [SHARED_DIR] [OUTPUT]  (defaults: ../shared, models/colour_names.lcn)
Needs python3 and numpy only (MAT v5 is read with zlib).
"""
import struct
import sys
import zlib
from pathlib import Path

import numpy as np


def read_mat_v5(path):
    """The one double matrix of a MATLAB level-5 file (the w2c tables' layout)."""
    data = Path(path).read_bytes()
    pos = 128
    while pos < len(data):
        kind, size = struct.unpack_from("<II", data, pos)
        payload = data[pos + 8:pos + 8 + size]
        pos += 8 + size
        if kind == 15:  # miCOMPRESSED: a zlib stream holding one element
            payload = zlib.decompress(payload)
            kind, size = struct.unpack_from("<II", payload, 0)
            payload = payload[8:8 + size]
        else:
            pos += (8 - size % 8) % 8
        if kind != 14:  # miMATRIX
            continue
        fields, p = [], 0
        while p < len(payload) and len(fields) < 4:
            t, n = struct.unpack_from("<II", payload, p)
            if t >> 16:  # small data element: size in the upper half, data in 4 bytes
                fields.append((t & 0xFFFF, payload[p + 4:p + 4 + (t >> 16)]))
                p += 8
            else:
                fields.append((t, payload[p + 8:p + 8 + n]))
                p += 8 + n + (8 - n % 8) % 8
        dims = struct.unpack("<%di" % (len(fields[1][1]) // 4), fields[1][1])
        if fields[3][0] != 9:
            raise ValueError(f"{path}: expected a double matrix")
        return np.frombuffer(fields[3][1], dtype="<f8").reshape(dims[::-1]).T
    raise ValueError(f"{path}: no matrix found")


def main():
    shared = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared")
    output = Path(sys.argv[2] if len(sys.argv) > 2 else "models/colour_names.lcn")
    names = shared / "data" / "colour-names"
    eleven = read_mat_v5(names / "w2c11.mat")
    twenty_five = read_mat_v5(names / "w2c25.mat")
    twenty_five = twenty_five / twenty_five.sum(axis=1, keepdims=True)
    table = np.hstack([eleven, twenty_five])
    if table.shape != (35280, 36):
        raise ValueError(f"unexpected table shape {table.shape}")
    quantised = np.clip(np.rint(table * 255), 0, 255).astype(np.uint8)
    raw = quantised.tobytes()
    packed = struct.pack(">I", len(raw)) + zlib.compress(raw, 9)
    output.write_bytes(b"LKBKCNAM" + struct.pack("<III", 2, *quantised.shape) + packed)
    print(f"wrote {output} ({output.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
