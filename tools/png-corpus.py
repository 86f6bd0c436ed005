#!/usr/bin/python3
"""Independent PNG test corpus for Atelier's decoder, and a PIL-based checker for its encoder.

    /usr/bin/python3 tools/png-corpus.py OUT_DIR        write the corpus into OUT_DIR
    /usr/bin/python3 tools/png-corpus.py --verify DIR   decode every X.png in DIR with PIL and compare
                                                        with X.rgba (and X.json text chunks, if present)

Needs Debian's python3-pil (`apt-get install python3-pil`; .ci/install does it). Nothing here shares code with the
C# codec: PIL writes what it can (non-interlaced L, 1, I;16, LA, RGB, RGBA, P at 1/2/4/8 bits, tRNS, text chunks);
a small PNG writer below, built on zlib and struct only, writes the rest (every colour type x bit depth x
interlace, all five filter types in turn, IDAT split into several chunks, chunks after IDAT).

For each X.png the corpus holds X.rgba (expected 8-bit RGBA, row-major), X.rgba16 (expected 16-bit RGBA,
big-endian) and, for files with metadata, X.json (the ancillary chunks a decoder should keep, in order).
manifest.json lists every file with its IHDR fields. Pixels come from random.Random(SEED): the corpus is the same
on every run.

Expected values, from the PNG specification (third edition, section 13.12 "sample depth rescaling"):
  8-bit from depth d < 16:   v * 255 / (2^d - 1)             (exact for d = 1, 2, 4, 8)
  8-bit from 16-bit:         round(v * 255 / 65535)          (no ties occur)
  16-bit from depth d < 16:  v * 65535 / (2^d - 1)           (exact)
  tRNS colour key: alpha 0 where the raw samples equal the key, else full.
"""

import json
import os
import random
import struct
import sys
import zlib

SEED = 20240611
SIZES = [(1, 1), (7, 3), (33, 17), (5, 40)]
DEPTHS = {0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16]}
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
# Adam7 (xstart, ystart, xstep, ystep), PNG specification section 8.2.
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
SIGNATURE = b"\x89PNG\r\n\x1a\n"


# --- a minimal PNG writer (independent of the codec under test) -------------------------------------------------

def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def pack_samples(samples, depth):
    if depth == 8:
        return bytes(samples)
    if depth == 16:
        return b"".join(struct.pack(">H", s) for s in samples)
    out = bytearray()
    acc, nbits = 0, 0
    for s in samples:
        acc = (acc << depth) | s
        nbits += depth
        if nbits == 8:
            out.append(acc)
            acc, nbits = 0, 0
    if nbits:
        out.append(acc << (8 - nbits))
    return bytes(out)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def filter_scanline(ftype, line, prior, bpp):
    out = bytearray(len(line))
    for i, x in enumerate(line):
        a = line[i - bpp] if i >= bpp else 0
        b = prior[i]
        c = prior[i - bpp] if i >= bpp else 0
        pred = [0, a, b, (a + b) // 2, paeth(a, b, c)][ftype]
        out[i] = (x - pred) & 0xFF
    return bytes(out)


def encode_png(width, height, color_type, depth, pixels, interlace, plte=None, trns=None,
               before=(), after=(), idat_pieces=3, filter_offset=0):
    """pixels[y][x] is a tuple of raw samples. before/after are extra (type, data) chunks around IDAT."""
    bpp = max(1, depth * CHANNELS[color_type] // 8)
    passes = ADAM7 if interlace else [(0, 0, 1, 1)]
    raw = bytearray()
    for p, (x0, y0, dx, dy) in enumerate(passes):
        xs = list(range(x0, width, dx))
        ys = list(range(y0, height, dy))
        if not xs or not ys:
            continue
        prior = bytes(len(pack_samples([0] * (len(xs) * CHANNELS[color_type]), depth)))
        for j, y in enumerate(ys):
            line = pack_samples([s for x in xs for s in pixels[y][x]], depth)
            ftype = (j + p + filter_offset) % 5  # every filter type, at every row position, in turn
            raw.append(ftype)
            raw += filter_scanline(ftype, line, prior, bpp)
            prior = line
    data = zlib.compress(bytes(raw), 9)
    step = max(1, -(-len(data) // idat_pieces))
    out = bytearray(SIGNATURE)
    out += chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, 1 if interlace else 0))
    for kind, payload in before:
        out += chunk(kind, payload)
    if plte is not None:
        out += chunk(b"PLTE", b"".join(bytes(rgb) for rgb in plte))
    if trns is not None:
        out += chunk(b"tRNS", trns)
    for i in range(0, len(data), step):
        out += chunk(b"IDAT", data[i:i + step])
    for kind, payload in after:
        out += chunk(kind, payload)
    out += chunk(b"IEND", b"")
    return bytes(out)


# --- expected pixels ------------------------------------------------------------------------------------------------

def to8(v, depth):
    return (v * 255 + 32767) // 65535 if depth == 16 else v * 255 // ((1 << depth) - 1)


def to16(v, depth):
    return v if depth == 16 else v * 65535 // ((1 << depth) - 1)


def expected(color_type, depth, pixels, plte=None, trns=None):
    """(rgba8 bytes, rgba16 big-endian bytes) computed from the raw samples."""
    out8, out16 = bytearray(), bytearray()
    key = None
    if trns is not None and color_type == 0:
        key = struct.unpack(">H", trns)
    elif trns is not None and color_type == 2:
        key = struct.unpack(">HHH", trns)
    for row in pixels:
        for px in row:
            if color_type == 3:
                r, g, b = plte[px[0]]
                a = trns[px[0]] if trns is not None and px[0] < len(trns) else 255
                rgba8 = (r, g, b, a)
                rgba16 = tuple(v * 257 for v in rgba8)
            else:
                if color_type in (0, 4):
                    samples = (px[0], px[0], px[0]) + px[1:]
                else:
                    samples = px
                alpha_key = key is not None and tuple(px) == key
                rgb8 = [to8(v, depth) for v in samples[:3]]
                rgb16 = [to16(v, depth) for v in samples[:3]]
                if len(samples) == 4:
                    a8, a16 = to8(samples[3], depth), to16(samples[3], depth)
                else:
                    a8, a16 = (0, 0) if alpha_key else (255, 65535)
                rgba8 = tuple(rgb8) + (a8,)
                rgba16 = tuple(rgb16) + (a16,)
            out8 += bytes(rgba8)
            out16 += b"".join(struct.pack(">H", v) for v in rgba16)
    return bytes(out8), bytes(out16)


def random_pixels(rng, width, height, channels, maximum):
    # Extremes first so that every file holds 0 and the largest sample; the rest uniform.
    pixels = [[tuple(rng.randint(0, maximum) for _ in range(channels)) for _ in range(width)] for _ in range(height)]
    pixels[0][0] = tuple([maximum] * channels)
    if width * height > 1:
        pixels[height - 1][width - 1] = tuple([0] * channels)
    return pixels


# --- the corpus -----------------------------------------------------------------------------------------------------

class Corpus:
    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.manifest = []

    def add(self, name, png_bytes, width, height, color_type, depth, interlace, writer, rgba8, rgba16, chunks=None):
        with open(os.path.join(self.out_dir, name + ".png"), "wb") as f:
            f.write(png_bytes)
        with open(os.path.join(self.out_dir, name + ".rgba"), "wb") as f:
            f.write(rgba8)
        with open(os.path.join(self.out_dir, name + ".rgba16"), "wb") as f:
            f.write(rgba16)
        if chunks is not None:
            with open(os.path.join(self.out_dir, name + ".json"), "w", encoding="utf-8") as f:
                json.dump({"chunks": chunks}, f, ensure_ascii=False, indent=1)
        self.manifest.append({"file": name + ".png", "width": width, "height": height, "colorType": color_type,
                              "bitDepth": depth, "interlaced": bool(interlace), "writer": writer,
                              "metadata": chunks is not None})

    def finish(self):
        with open(os.path.join(self.out_dir, "manifest.json"), "w") as f:
            json.dump({"seed": SEED, "pil": pil_version(), "files": self.manifest}, f, indent=1)


def pil_version():
    import PIL
    return PIL.__version__


def write_own(corpus, rng):
    """Every colour type x bit depth x interlace x size, with the minimal writer; plus tRNS variants."""
    for color_type, depths in DEPTHS.items():
        for depth in depths:
            for interlace in (0, 1):
                for (w, h) in SIZES:
                    for with_trns in ((False, True) if color_type in (0, 2, 3) and (w, h) == (33, 17) else (False,)):
                        plte = trns = None
                        if color_type == 3:
                            entries = min(1 << depth, 200)
                            plte = [tuple(rng.randint(0, 255) for _ in range(3)) for _ in range(entries)]
                            pixels = random_pixels(rng, w, h, 1, entries - 1)
                            if with_trns:
                                trns = bytes(rng.randint(0, 255) for _ in range(rng.randint(1, entries)))
                        else:
                            pixels = random_pixels(rng, w, h, CHANNELS[color_type], (1 << depth) - 1)
                            if with_trns:
                                # The key is a colour that occurs, so that some pixels become transparent.
                                key = pixels[h // 2][w // 2]
                                trns = struct.pack(">" + "H" * len(key), *key)
                        data = encode_png(w, h, color_type, depth, pixels, interlace, plte, trns,
                                          idat_pieces=1 + (w * h) % 4, filter_offset=depth)
                        rgba8, rgba16 = expected(color_type, depth, pixels, plte, trns)
                        name = f"own-ct{color_type}-d{depth}-i{interlace}-{w}x{h}" + ("-trns" if with_trns else "")
                        corpus.add(name, data, w, h, color_type, depth, interlace, "own", rgba8, rgba16)


def write_pil(corpus, rng):
    """What PIL can write itself (never interlaced)."""
    from PIL import Image
    import io

    def save(im, **kwargs):
        buffer = io.BytesIO()
        im.save(buffer, format="PNG", **kwargs)
        return buffer.getvalue()

    for (w, h) in SIZES:
        # L (gray 8), with and without a colour key.
        pixels = random_pixels(rng, w, h, 1, 255)
        im = Image.frombytes("L", (w, h), bytes(p[0] for row in pixels for p in row))
        corpus.add(f"pil-L-{w}x{h}", save(im), w, h, 0, 8, 0, "pil", *expected(0, 8, pixels))
        key = pixels[h // 2][w // 2][0]
        corpus.add(f"pil-L-trns-{w}x{h}", save(im, transparency=key), w, h, 0, 8, 0, "pil",
                   *expected(0, 8, pixels, trns=struct.pack(">H", key)))
        # 1-bit gray: PIL holds 0/255 and writes samples 0/1.
        bits = [[(rng.randint(0, 1),) for _ in range(w)] for _ in range(h)]
        im = Image.frombytes("L", (w, h), bytes(255 * p[0] for row in bits for p in row)).convert("1", dither=Image.Dither.NONE)
        corpus.add(f"pil-1-{w}x{h}", save(im), w, h, 0, 1, 0, "pil", *expected(0, 1, bits))
        # 16-bit gray.
        pixels = random_pixels(rng, w, h, 1, 65535)
        im = Image.frombytes("I;16", (w, h), b"".join(struct.pack("<H", p[0]) for row in pixels for p in row))
        corpus.add(f"pil-I16-{w}x{h}", save(im), w, h, 0, 16, 0, "pil", *expected(0, 16, pixels))
        # LA, RGB (with and without key), RGBA.
        for mode, ct in (("LA", 4), ("RGB", 2), ("RGBA", 6)):
            pixels = random_pixels(rng, w, h, CHANNELS[ct], 255)
            im = Image.frombytes(mode, (w, h), bytes(s for row in pixels for p in row for s in p))
            corpus.add(f"pil-{mode}-{w}x{h}", save(im), w, h, ct, 8, 0, "pil", *expected(ct, 8, pixels))
            if mode == "RGB":
                key = pixels[h // 2][w // 2]
                corpus.add(f"pil-RGB-trns-{w}x{h}", save(im, transparency=key), w, h, 2, 8, 0, "pil",
                           *expected(2, 8, pixels, trns=struct.pack(">HHH", *key)))
        # Palettes at 1, 2, 4 and 8 bits, and one with tRNS. PIL writes 2^bits PLTE entries.
        for depth in (1, 2, 4, 8):
            entries = 1 << depth
            plte = [tuple(rng.randint(0, 255) for _ in range(3)) for _ in range(entries)]
            pixels = random_pixels(rng, w, h, 1, entries - 1)
            im = Image.frombytes("P", (w, h), bytes(p[0] for row in pixels for p in row))
            im.putpalette([c for rgb in plte for c in rgb])
            corpus.add(f"pil-P{depth}-{w}x{h}", save(im, bits=depth), w, h, 3, depth, 0, "pil",
                       *expected(3, depth, pixels, plte))
            if depth in (2, 8):
                trns = bytes(rng.randint(0, 255) for _ in range(entries - 1))
                corpus.add(f"pil-P{depth}-trns-{w}x{h}", save(im, bits=depth, transparency=trns), w, h, 3, depth, 0,
                           "pil", *expected(3, depth, pixels, plte, trns))


def text_entry(kind, keyword, text, position, compressed=False, lang="", translated=""):
    return {"type": kind, "keyword": keyword, "text": text, "compressed": compressed, "language": lang,
            "translated": translated, "position": position}


def raw_entry(kind, data, position):
    return {"type": kind, "hex": data.hex(), "position": position}


def write_metadata(corpus, rng):
    from PIL import Image, PngImagePlugin
    import io

    # PIL: tEXt, zTXt, iTXt (plain and compressed), all before IDAT.
    w, h = 7, 3
    pixels = random_pixels(rng, w, h, 3, 255)
    im = Image.frombytes("RGB", (w, h), bytes(s for row in pixels for p in row for s in p))
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", "a lighthouse at dusk, oil on canvas\nSteps: 30, Sampler: DDIM, Seed: 42")
    info.add_text("Comment", "Latin-1: caf\u00e9 \u00bd", zip=True)
    info.add_itxt("Description", "\u65e5\u672c\u8a9e\u306e\u8aac\u660e \U0001F3A8", lang="ja", tkey="\u8aac\u660e")
    info.add_itxt("Software", "Atelier test corpus", lang="en-GB", tkey="", zip=True)
    buffer = io.BytesIO()
    im.save(buffer, format="PNG", pnginfo=info)
    chunks = [
        text_entry("tEXt", "parameters", "a lighthouse at dusk, oil on canvas\nSteps: 30, Sampler: DDIM, Seed: 42", "before"),
        text_entry("zTXt", "Comment", "Latin-1: caf\u00e9 \u00bd", "before", compressed=True),
        text_entry("iTXt", "Description", "\u65e5\u672c\u8a9e\u306e\u8aac\u660e \U0001F3A8", "before", lang="ja", translated="\u8aac\u660e"),
        text_entry("iTXt", "Software", "Atelier test corpus", "before", compressed=True, lang="en-GB"),
    ]
    corpus.add("pil-text", buffer.getvalue(), w, h, 2, 8, 0, "pil", *expected(2, 8, pixels), chunks=chunks)

    # Own writer: text and other ancillary chunks before and after IDAT; bKGD and sBIT are not kept by the decoder.
    w, h = 33, 17
    pixels = random_pixels(rng, w, h, 4, 255)
    latin = "Latin-1 \u00e9\u00e8\u00ff".encode("latin-1")
    time_chunk = struct.pack(">HBBBBB", 2024, 6, 11, 12, 30, 5)
    exif = b"MM\x00*\x00\x00\x00\x08\x00\x00"
    gama = struct.pack(">I", 45455)
    private = bytes(range(40))
    utf8 = "Beschreibung \u00fc\u00df \u2713".encode("utf-8")
    before = [
        (b"gAMA", gama),
        (b"tEXt", b"Title\x00" + latin),
        (b"bKGD", struct.pack(">HHH", 1, 2, 3)),
        (b"sBIT", bytes([8, 8, 8, 8])),
        (b"eXIf", exif),
        (b"iTXt", b"Description\x00\x00\x00de\x00Beschreibung\x00" + utf8),
    ]
    after = [
        (b"tIME", time_chunk),
        (b"zTXt", b"Comment\x00\x00" + zlib.compress(b"after the pixels")),
        (b"iTXt", b"Provenance\x00\x01\x00\x00\x00" + zlib.compress('{"made_by": "Atelier"}'.encode("utf-8"))),
        (b"prVt", private),
    ]
    data = encode_png(w, h, 6, 8, pixels, 0, before=before, after=after, idat_pieces=5)
    chunks = [
        raw_entry("gAMA", gama, "before"),
        text_entry("tEXt", "Title", latin.decode("latin-1"), "before"),
        raw_entry("eXIf", exif, "before"),
        text_entry("iTXt", "Description", utf8.decode("utf-8"), "before", lang="de", translated="Beschreibung"),
        raw_entry("tIME", time_chunk, "after"),
        text_entry("zTXt", "Comment", "after the pixels", "after", compressed=True),
        text_entry("iTXt", "Provenance", '{"made_by": "Atelier"}', "after", compressed=True),
        raw_entry("prVt", private, "after"),
    ]
    corpus.add("own-metadata", data, w, h, 6, 8, 0, "own", *expected(6, 8, pixels), chunks=chunks)


def write_corpus(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    rng = random.Random(SEED)
    corpus = Corpus(out_dir)
    write_own(corpus, rng)
    write_pil(corpus, rng)
    write_metadata(corpus, rng)
    corpus.finish()
    print(f"wrote {len(corpus.manifest)} PNG files to {out_dir} (PIL {pil_version()})")


# --- verification of files written by another encoder --------------------------------------------------------------

def verify(directory):
    from PIL import Image
    names = sorted(f for f in os.listdir(directory) if f.endswith(".png"))
    failures, checked = [], 0
    for name in names:
        stem = os.path.join(directory, name[:-4])
        if not os.path.exists(stem + ".rgba"):
            continue
        checked += 1
        try:
            with Image.open(os.path.join(directory, name)) as im:
                im.load()
                rgba = im.convert("RGBA").tobytes()
                text = dict(getattr(im, "text", {}))
        except Exception as e:  # report every file, not only the first failure
            failures.append(f"{name}: PIL cannot decode it: {e!r}")
            continue
        with open(stem + ".rgba", "rb") as f:
            want = f.read()
        if rgba != want:
            first = next((i for i in range(min(len(rgba), len(want))) if rgba[i] != want[i]), min(len(rgba), len(want)))
            failures.append(f"{name}: RGBA differs (PIL {len(rgba)} bytes, expected {len(want)}; first difference at byte {first})")
        if os.path.exists(stem + ".json"):
            with open(stem + ".json", encoding="utf-8") as f:
                wanted = {c["keyword"]: c["text"] for c in json.load(f)["chunks"] if "keyword" in c}
            got = {k: str(v) for k, v in text.items()}
            if got != wanted:
                failures.append(f"{name}: text chunks differ: PIL read {got!r}, expected {wanted!r}")
    for line in failures:
        print("FAIL " + line)
    print(f"verified {checked} files with PIL {pil_version()}: {len(failures)} failures")
    return 1 if failures or checked == 0 else 0


def main(argv):
    if len(argv) == 3 and argv[1] == "--verify":
        return verify(argv[2])
    if len(argv) == 2 and not argv[1].startswith("-"):
        write_corpus(argv[1])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
