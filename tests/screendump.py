"""screendump.py: read a screendump for the tests: PNG (vireo's monitor) or binary PPM (QEMU's).

    from screendump import load
    w, h, pixel = load('screen.png')        # pixel(x, y) -> (r, g, b)

    python3 tests/screendump.py FILE [X,Y ...]   prints WxH, then r,g,b for each point
"""
import struct
import sys
import zlib


def _png(d):
    w, h, depth, ctype = struct.unpack('>IIBB', d[16:26])
    assert depth == 8 and ctype in (2, 6), 'PNG: only 8-bit RGB/RGBA'
    idat, p = b'', 8
    while p < len(d):
        n, t = struct.unpack('>I4s', d[p:p + 8])
        if t == b'IDAT':
            idat += d[p + 8:p + 8 + n]
        p += 12 + n
    bpp = 3 if ctype == 2 else 4
    raw, rows, prev = zlib.decompress(idat), [], bytearray(w * bpp)
    stride = w * bpp + 1
    for y in range(h):
        f, line = raw[y * stride], bytearray(raw[y * stride + 1:(y + 1) * stride])
        for i in range(len(line)):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, lambda x, y: tuple(rows[y][x * bpp:x * bpp + 3])


def _ppm(d):
    fields, p = [], 2
    while len(fields) < 3:
        while d[p:p + 1].isspace():
            p += 1
        if d[p:p + 1] == b'#':
            p = d.index(b'\n', p)
            continue
        q = p
        while not d[q:q + 1].isspace():
            q += 1
        fields.append(int(d[p:q]))
        p = q
    w, h, _ = fields
    data = d[p + 1:]
    return w, h, lambda x, y: tuple(data[(y * w + x) * 3:(y * w + x) * 3 + 3])


def load(path):
    d = open(path, 'rb').read()
    if d[:8] == b'\x89PNG\r\n\x1a\n':
        return _png(d)
    if d[:2] == b'P6':
        return _ppm(d)
    raise ValueError('%s: neither PNG nor binary PPM' % path)


if __name__ == '__main__':
    w, h, pixel = load(sys.argv[1])
    print('%dx%d' % (w, h))
    for arg in sys.argv[2:]:
        x, y = map(int, arg.split(','))
        print('%d,%d,%d' % pixel(x, y))
