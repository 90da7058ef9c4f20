#!/usr/bin/env python3
"""Writes seed inputs for the fuzz targets to fuzz/corpus/<target>/ (gitignored).

Python 3.11+ standard library only. Run from anywhere:

    python3 fuzz/make-seeds.py

Seeds are named `seed-*` and rewritten on every run; inputs libFuzzer added are kept. Each seed
has the shape its target parses (read the target: some take a first byte that picks a mode).
Besides small real files from the crates' testdata, the seeds carry the hostile shapes of
issue 17: GNU sparse tar entries, `..` and absolute paths, links to nothing and out of the
image, whiteouts, layers listed many times, symlinked blobs, hostile SQLite databases, archive
members with hostile names, dpkg stanzas without Version.
"""

import gzip
import hashlib
import io
import json
import os
import sqlite3
import struct
import tarfile
import zipfile
import zlib

FUZZ = os.path.dirname(os.path.abspath(__file__))
CRATES = os.path.join(FUZZ, "..", "crates")
CORPUS = os.path.join(FUZZ, "corpus")
MAX_SEED = 100_000  # larger real files would slow every run down
tarfile.RECORDSIZE = tarfile.BLOCKSIZE  # no padding of archives to 10 KiB records


def put(target, name, data):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def testdata(rel):
    with open(os.path.join(CRATES, rel), "rb") as f:
        return f.read()


def testdata_dir(rel, suffix=""):
    """(name, bytes) of the small files under crates/<rel> (recursively) ending in `suffix`."""
    out = []
    for root, _, files in sorted(os.walk(os.path.join(CRATES, rel))):
        for name in sorted(files):
            path = os.path.join(root, name)
            if name.endswith(suffix) and name != "SOURCES.md" and os.path.getsize(path) <= MAX_SEED:
                with open(path, "rb") as f:
                    out.append((name, f.read()))
    return out


def sha256(data):
    return hashlib.sha256(data).hexdigest()


# --- tar ------------------------------------------------------------------------------------

def tar(*members, fmt=tarfile.GNU_FORMAT):
    """A tar of (kind, name, arg) members: file (bytes), dir, sym/link (target), fifo, chr,
    or pax (a dict of extra pax headers for an empty file)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as t:
        for kind, name, arg in members:
            ti = tarfile.TarInfo(name)
            ti.mode, ti.mtime = 0o644, 1700000000
            data = None
            if kind == "file":
                data = arg if isinstance(arg, bytes) else arg.encode()
                ti.size = len(data)
            elif kind == "dir":
                ti.type, ti.mode = tarfile.DIRTYPE, 0o755
            elif kind in ("sym", "link"):
                ti.type = tarfile.SYMTYPE if kind == "sym" else tarfile.LNKTYPE
                ti.linkname = arg
            elif kind == "fifo":
                ti.type = tarfile.FIFOTYPE
            elif kind == "chr":
                ti.type, ti.devmajor, ti.devminor = tarfile.CHRTYPE, 1, 3
            elif kind == "pax":
                ti.pax_headers = arg
            t.addfile(ti, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def checksum(header):
    """`header` (512 bytes) with its checksum field recomputed."""
    h = bytearray(header)
    h[148:156] = b" " * 8
    h[148:156] = b"%06o\0 " % sum(h)
    return bytes(h)


def num12(n):
    """A 12-byte tar number field: octal, or GNU base-256 when it does not fit."""
    return b"%011o\0" % n if n < 8 ** 11 else b"\x80" + n.to_bytes(11, "big")


def gnu_sparse(name, realsize, chunks, extended=()):
    """A GNU sparse ('S') member: `chunks` and `extended` are (offset, length) pairs of stored
    data; the rest of the `realsize` file is holes. `extended` goes in an extension block."""
    stored = sum(n for _, n in chunks) + sum(n for _, n in extended)
    ti = tarfile.TarInfo(name)
    ti.size, ti.mtime = stored, 1700000000
    h = bytearray(ti.tobuf(tarfile.GNU_FORMAT))[:512]
    h[156:157] = b"S"
    for i, (off, n) in enumerate(chunks[:4]):
        h[386 + 24 * i:410 + 24 * i] = num12(off) + num12(n)
    h[482] = 1 if extended else 0
    h[483:495] = num12(realsize)
    out = checksum(h)
    if extended:
        ext = bytearray(512)
        for i, (off, n) in enumerate(extended[:21]):
            ext[24 * i:24 * i + 24] = num12(off) + num12(n)
        out += bytes(ext)
    data = b"\x5a" * stored
    return out + data + b"\0" * (-len(data) % 512)


def end_of_archive():
    return b"\0" * 1024


def zero_first_name_byte(tar_bytes):
    """The first header's name starts with NUL (read as the root, skipped): the layer target
    then takes the whole input as one layer (its first byte, 0, splits off an empty layer)."""
    return checksum(b"\0" + tar_bytes[1:512]) + tar_bytes[512:]


# --- zstd frames with raw and RLE blocks only (the standard library has no zstd) -------------

def zstd_frame(content, window_log=10):
    blocks, i = [], 0
    max_block = min(1 << window_log, 128 << 10)
    while i < len(content):
        run = 0
        while i + run < len(content) and content[i + run] == 0 and run < max_block:
            run += 1
        if run >= 8:
            blocks.append((1, run, b"\0"))  # RLE block of zeros
            i += run
            continue
        j = i
        while j < len(content) and j - i < max_block and content[j:j + 8] != b"\0" * 8:
            j += 1
        j = max(j, i + 1)
        blocks.append((0, j - i, content[i:j]))  # raw block
        i = j
    out = b"\x28\xb5\x2f\xfd" + bytes([0x00, (window_log - 10) << 3])
    for n, (kind, size, body) in enumerate(blocks):
        last = 1 if n == len(blocks) - 1 else 0
        out += (last | kind << 1 | size << 3).to_bytes(3, "little") + body
    return out


def lower_layer():
    """The layer target splits its input at the value of the first byte: a zstd frame starts
    with 0x28 = 40, so a 40-byte frame is a whole lower layer and the rest of the input the
    upper one. This one holds a v7 tar member `etc/motd`, a regular file of one NUL byte."""
    h = bytearray(1024)
    h[0:8], h[124] = b"etc/motd", ord("1")
    digits = b"%o" % (sum(h) + 8 * 32)  # checksum, its own field counted as spaces
    h[148:148 + len(digits)] = digits
    frame = zstd_frame(bytes(h))
    assert len(frame) == 40 and frame[0] == 40, len(frame)
    return frame


LOWER = lower_layer()


# --- layer ----------------------------------------------------------------------------------

def layer_seeds():
    status = b"Package: base-files\nStatus: install ok installed\nVersion: 12.4\n\n"
    base = tar(
        ("dir", "etc", None), ("dir", "usr/lib", None),
        ("file", "usr/lib/os-release", "ID=debian\nVERSION_ID=\"12\"\n"),
        ("sym", "etc/os-release", "../usr/lib/os-release"),
        ("file", "var/lib/dpkg/status", status),
        ("file", "etc/motd", "upper\n"),
        ("link", "etc/motd.hard", "etc/motd"),
    )
    escapes = tar(
        ("file", "/etc/passwd", "root:x:0:0::/root:/bin/sh\n"),   # absolute: stripped
        ("file", "./././a//b/./c", "x"),
        ("sym", "esc", "../../../../etc/shadow"),
        ("sym", "abs", "/etc/shadow"),
        ("sym", "etc/dir", "/"),
        ("file", "etc/dir/x", "through a link"),
        ("link", "dangling", "missing/file"),                  # hardlink to nothing
        ("link", "self", "self"),
        ("sym", "loop/a", "b"), ("sym", "loop/b", "a"),
        ("sym", "motd-up", "../etc/motd"),
        *[("sym", f"chain/{i}", f"{i + 1}") for i in range(48)],
        ("fifo", "run/fifo", None), ("chr", "dev/null", None),
        ("file", "etc/motd", "replaces the lower file\n"),
    )
    climb = tar(("file", "ok", "x"), ("file", "../../etc/passwd", "escape"))
    hardlink_up = tar(("link", "root", "/"), ("link", "up", "a/../../b"))
    whiteouts = tar(
        ("file", "etc/.wh.motd", b""), ("file", ".wh..wh..opq", b""),
        ("file", "usr/.wh..wh..opq", b""), ("file", ".wh.", b""), ("file", "a/.wh..", b""),
        ("file", ".wh..wh..opq/x", b""), ("dir", "etc/motd", None), ("file", "etc/motd/x", "y"),
    )
    dupes = tar(*[(k, "dup", a) for k, a in
                  [("file", "1"), ("dir", None), ("sym", "dup"), ("file", "2"),
                   ("link", "dup"), ("file", "3")] * 8])
    pax = tar(
        ("file", "d/" + "long" * 80, "long name"),
        ("pax", "p", {"path": "../../pax-escape"}),
        ("pax", "q", {"linkpath": "/etc/shadow", "size": "99999999999"}),
        ("pax", "r", {"GNU.sparse.major": "1", "GNU.sparse.minor": "0",
                      "GNU.sparse.name": "sparse.pax", "GNU.sparse.realsize": "1099511627776"}),
        ("file", "caf\u00e9/\u2603", "utf-8 name"),
        fmt=tarfile.PAX_FORMAT)
    gnu_long = tar(("file", "g/" + "x" * 300, "gnu longname"), ("sym", "l" * 200, "t" * 300))
    sparse = (
        gnu_sparse("sparse/ok", 900_000, [(0, 512), (899_488, 512)])  # under max_file_bytes
        + gnu_sparse("sparse/huge", 1 << 40, [(0, 512)])              # 1 TiB of holes
        + gnu_sparse("sparse/max", (1 << 63) - 1, [((1 << 62), 512)])
        + gnu_sparse("sparse/overlap", 4096, [(0, 1024), (512, 1024)])
        + gnu_sparse("sparse/unordered", 8192, [(4096, 512), (0, 512)])
        + gnu_sparse("sparse/past-end", 1024, [(0, 512), (2048, 512)])
        + gnu_sparse("sparse/ext", 1 << 20, [(0, 512)],
                     [(4096 * (i + 1), 512) for i in range(21)])
        + end_of_archive())
    non_utf8 = tar(("file", "bad-\udcff-name", "x"), ("sym", "l\udcfe", "\udcfd"))
    uppers = {"base": base, "escapes": escapes, "climb": climb, "hardlink-up": hardlink_up,
              "whiteouts": whiteouts, "dupes": dupes, "pax": pax, "gnu-long": gnu_long,
              "sparse": sparse, "non-utf8": non_utf8}
    for name, upper in uppers.items():
        put("layer", name, LOWER + upper)
    put("layer", "base-gzip", LOWER + gzip.compress(base, mtime=0))
    put("layer", "escapes-gzip-multi", LOWER + gzip.compress(escapes[:2048], mtime=0)
        + gzip.compress(escapes[2048:], mtime=0))
    put("layer", "whiteouts-zstd", LOWER + zstd_frame(whiteouts, window_log=17))
    put("layer", "sparse-gzip", LOWER + gzip.compress(sparse, mtime=0))
    put("layer", "one-layer", zero_first_name_byte(base))
    put("layer", "one-layer-sparse", zero_first_name_byte(
        tar(("file", "x", b""))[:512] + sparse))
    put("layer", "bomb-gzip", LOWER + gzip.compress(
        tar(("file", "zeros", b"\0" * (8 << 20))), mtime=0))
    put("layer", "lower-only", LOWER)
    return base, escapes, whiteouts


# --- image archives (docker-archive, OCI archive, OCI layout directory) ----------------------

def image_config(diff_ids):
    return json.dumps({
        "architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/sh"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created_by": "RUN x"}, {"created_by": "ENV A=1", "empty_layer": True}],
    }).encode()


def docker_archive(layers, repeat=1, extra=(), blobs_style=False):
    """A `docker save` archive: legacy `<id>/layer.tar` members, or the `blobs/sha256/<hex>`
    members (beside `oci-layout`) Docker 25+ writes."""
    name = (lambda i, data: f"blobs/sha256/{sha256(data)}") if blobs_style else \
        (lambda i, data: f"{i:064x}/layer.tar")
    members = [("file", name(i, layer), layer) for i, layer in enumerate(layers)]
    paths = [name(i, layer) for i, layer in enumerate(layers)] * repeat
    cfg = image_config(["sha256:" + sha256(layers[i % len(layers)]) for i in range(len(paths))])
    cfg_name = f"blobs/sha256/{sha256(cfg)}" if blobs_style else sha256(cfg) + ".json"
    manifest = [{"Config": cfg_name, "RepoTags": ["fuzz:latest"], "Layers": paths}]
    members += [("file", cfg_name, cfg), ("file", "manifest.json", json.dumps(manifest))]
    if blobs_style:
        members.append(("file", "oci-layout", '{"imageLayoutVersion":"1.0.0"}'))
    return tar(*members, *extra)


def desc(media_type, data, **kw):
    return {"mediaType": media_type, "digest": "sha256:" + sha256(data), "size": len(data), **kw}


OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
REF = {"org.opencontainers.image.ref.name": "latest"}


def oci_blobs(layers, repeat=1, nest=0):
    """(blobs by digest hex, index.json) of an OCI image, its manifest wrapped in `nest`
    platform indexes."""
    blobs = {sha256(b): b for b in layers}
    cfg = image_config(["sha256:" + sha256(layers[i % len(layers)])
                        for i in range(len(layers) * repeat)])
    blobs[sha256(cfg)] = cfg
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": desc(OCI_CONFIG, cfg),
        "layers": [desc(OCI_LAYER, b) for b in layers] * repeat}).encode()
    blobs[sha256(manifest)] = manifest
    top = desc(OCI_MANIFEST, manifest, annotations=REF)
    for _ in range(nest):
        platform = {"os": "linux", "architecture": "amd64"}
        index = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
            {**desc(OCI_MANIFEST, b"{}"), "platform": {"os": "linux", "architecture": "arm64"}},
            {**top, "platform": platform},
            {**top, "annotations": {"vnd.docker.reference.type": "attestation-manifest"}}]}).encode()
        blobs[sha256(index)] = index
        top = desc(OCI_INDEX, index, annotations=REF)
    index_json = json.dumps({"schemaVersion": 2, "manifests": [top]})
    return blobs, index_json, sha256(manifest)


def oci_archive(layers, repeat=1, nest=0, links=(), drop=()):
    blobs, index_json, manifest_hex = oci_blobs(layers, repeat, nest)
    members = [("file", "oci-layout", '{"imageLayoutVersion":"1.0.0"}'),
               ("file", "index.json", index_json), ("dir", "blobs/sha256", None)]
    for hexd, data in blobs.items():
        if hexd not in drop and not (drop == "manifest" and hexd == manifest_hex):
            members.append(("file", f"blobs/sha256/{hexd}", data))
    return tar(*members, *links), blobs, manifest_hex


def image_seeds(base, escapes, whiteouts):
    layers = [base, whiteouts]
    put("image_archive", "docker", b"\0" + docker_archive(layers))
    put("image_archive", "docker-repeated-layers", b"\0" + docker_archive(layers, repeat=30))
    put("image_archive", "docker-too-many-layers", b"\0" + docker_archive([base], repeat=100))
    put("image_archive", "docker-escaping-layer", b"\0" + docker_archive([escapes]))
    put("image_archive", "docker-gzip-layer", b"\0" + docker_archive([gzip.compress(base, mtime=0)]))
    # Members that are links: a layer linked to another, out of the archive, in a loop; a
    # manifest.json that is itself a link.
    linked = docker_archive([base], extra=[
        ("sym", "linked/layer.tar", f"../{0:064x}/layer.tar"),
        ("sym", "out/layer.tar", "../../../etc/passwd"), ("link", "hard.tar", "/etc/passwd"),
        ("sym", "loop/a", "b"), ("sym", "loop/b", "a")])
    put("image_archive", "docker-link-members", b"\0" + linked)
    cfg = image_config(["sha256:" + sha256(base)] * 4)
    m = [{"Config": "cfg.json", "RepoTags": ["a:1", "a:1"],
          "Layers": ["linked/layer.tar", "out/layer.tar", "loop/a", "/abs/../layer.tar"]},
         {"Config": "../cfg.json", "Layers": []}]
    put("image_archive", "docker-hostile-manifest", b"\0" + tar(
        ("file", "cfg.json", cfg), ("file", "real.json", json.dumps(m)),
        ("sym", "manifest.json", "real.json"), ("file", f"{0:064x}/layer.tar", base),
        ("sym", "linked/layer.tar", f"../{0:064x}/layer.tar"),
        ("sym", "out/layer.tar", "../../x"), ("sym", "loop/a", "loop/a")))
    put("image_archive", "docker-blobs-style", b"\0" + docker_archive(layers, blobs_style=True))

    archive, blobs, mhex = oci_archive(layers)
    put("image_archive", "oci", b"\0" + archive)
    put("image_archive", "oci-repeated-layers", b"\0" + oci_archive(layers, repeat=30)[0])
    put("image_archive", "oci-nested-index", b"\0" + oci_archive(layers, nest=2)[0])
    put("image_archive", "oci-index-too-deep", b"\0" + oci_archive(layers, nest=5)[0])
    # Blobs that are links: the manifest to a copy elsewhere, out of the archive, a layer
    # linked to the config, a loop.
    hexes = list(blobs)
    put("image_archive", "oci-symlinked-blobs", b"\0" + oci_archive(layers, drop="manifest", links=[
        ("file", "elsewhere/manifest", blobs[mhex]),
        ("sym", f"blobs/sha256/{mhex}", "../../elsewhere/manifest")])[0])
    put("image_archive", "oci-blob-links-out", b"\0" + oci_archive(layers, drop=hexes[:2], links=[
        ("sym", f"blobs/sha256/{hexes[0]}", "../../../../etc/passwd"),
        ("link", f"blobs/sha256/{hexes[1]}", f"blobs/sha256/{hexes[1]}")])[0])
    put("image_archive", "oci-index-link", b"\0" + tar(
        ("file", "oci-layout", "{}"), ("sym", "index.json", "/proc/self/environ")))

    # As an OCI layout directory (first byte odd): links out of the layout must not be followed.
    layout, _, _ = oci_archive(layers)
    put("image_archive", "dir-oci", b"\1" + layout)
    put("image_archive", "dir-symlinked-blobs", b"\1" + oci_archive(layers, drop=hexes, links=[
        ("file", "store/" + h, blobs[h]) for h in hexes] + [
        ("sym", f"blobs/sha256/{h}", f"../../store/{h}") for h in hexes])[0])
    put("image_archive", "dir-blobs-out", b"\1" + oci_archive(layers, drop=hexes, links=[
        ("sym", f"blobs/sha256/{hexes[0]}", "/dev/zero"),
        ("sym", f"blobs/sha256/{hexes[1]}", "/etc/passwd"),
        *[("sym", f"blobs/sha256/{h}", "../../../../../../etc/shadow") for h in hexes[2:]]])[0])
    put("image_archive", "dir-blobs-dir-link", b"\1" + tar(
        ("file", "oci-layout", "{}"), ("file", "index.json", blobs_index(blobs, mhex)),
        ("sym", "blobs", "/")))
    put("image_archive", "dir-index-link", b"\1" + tar(
        ("file", "oci-layout", "{}"), ("sym", "index.json", "/dev/zero")))


def blobs_index(blobs, mhex):
    return json.dumps({"schemaVersion": 2, "manifests": [desc(OCI_MANIFEST, blobs[mhex])]})


# --- rpm ------------------------------------------------------------------------------------

def rpm_header(tags, store_extra=b""):
    """An rpm header image of STRING tags {tag: value}."""
    index, store = b"", b""
    for tag, value in tags.items():
        index += struct.pack(">IIII", tag, 6, len(store), 1)
        store += value.encode() + b"\0"
    store += store_extra
    return struct.pack(">II", len(tags), len(store)) + index + store


def bdb(values, page_size=512, cycle=False, shared=False):
    """A little-endian Berkeley DB hash file: one hash page of (key, value) pairs, each value
    off-page in a chain of overflow pages."""
    pages = [bytearray(page_size)]
    pages.append(bytearray(page_size))  # the hash page
    items = []
    chunk = page_size - 26
    for n, value in enumerate(values, start=1):
        first = len(pages)
        parts = [value[i:i + chunk] for i in range(0, len(value), chunk)] or [b""]
        for i, part in enumerate(parts):
            p = bytearray(page_size)
            nxt = len(pages) + 1 if i + 1 < len(parts) else (first if cycle else 0)
            struct.pack_into("<IIIHH", p, 8, len(pages), 0, nxt, 0, len(part))
            p[25] = 7
            p[26:26 + len(part)] = part
            pages.append(p)
        items.append(b"\x01" + struct.pack("<I", n))
        target = 2 if shared else first
        items.append(b"\x03\0\0\0" + struct.pack("<II", target, len(value)))
    items.insert(0, b"\x01\0\0\0\0")  # rpm's instance counter record
    items.insert(1, b"\x01" + struct.pack("<I", len(values) + 1))
    h = pages[1]
    h[25] = 13
    struct.pack_into("<H", h, 20, len(items))
    end = page_size
    for i, item in enumerate(items):
        end -= len(item)
        h[end:end + len(item)] = item
        struct.pack_into("<H", h, 26 + 2 * i, end)
    meta = pages[0]
    struct.pack_into("<IIII", meta, 12, 0x061561, 9, page_size, 0)
    struct.pack_into("<I", meta, 32, len(pages) - 1)
    return b"".join(bytes(p) for p in pages)


def ndb(blobs, overlap=False):
    """An rpm ndb file: the header and slots on the first 4 KiB page, then the blobs."""
    page = bytearray(4096)
    page[0:4] = b"RpmP"
    struct.pack_into("<IIII", page, 4, 0, 1, 1, len(blobs) + 1)
    data = b""
    for i, blob in enumerate(blobs, start=1):
        body = b"BlbS" + struct.pack("<III", i, 1, len(blob)) + blob
        body += b"\0" * (-(len(body) + 12) % 16)
        body += struct.pack("<II", 0, len(blob)) + b"BlbE"
        offset = (4096 + len(data)) // 16
        if overlap and i > 1:
            offset = 4096 // 16
        struct.pack_into("<4sIII", page, 32 + 16 * (i - 1), b"Slot", i, offset, len(body) // 16)
        data += body
    return bytes(page) + data


def sqlite_db(schema, rows=(), setup=None, columns="hnum, blob"):
    """A SQLite image (512-byte pages) with `rows` inserted into Packages(`columns`)."""
    conn = sqlite3.connect(":memory:")
    conn.execute("PRAGMA page_size=512")
    if setup:
        setup(conn)
    conn.executescript(schema)
    conn.executemany(f"INSERT INTO Packages({columns}) VALUES (?, ?)", rows)
    conn.commit()
    return conn.serialize()


RPM_SCHEMA = """
CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);
CREATE TABLE Name (key TEXT NOT NULL, hnum INTEGER NOT NULL, idx INTEGER NOT NULL,
                   FOREIGN KEY (hnum) REFERENCES Packages(hnum));
"""


def rpm_seeds():
    """pkgdb_rpm: first byte 0 Berkeley DB, 1 ndb, 2 sqlite, 3 one header blob."""
    real = sqlite3.connect(os.path.join(CRATES, "seaworthy-inventory/testdata/rpm/sqlite-built/rpmdb.sqlite"))
    blobs = [b for (b,) in real.execute("SELECT blob FROM Packages ORDER BY hnum")]
    small = rpm_header({1000: "fuzz", 1001: "1.0", 1002: "1.el9", 1022: "x86_64",
                        1044: "fuzz-1.0-1.el9.src.rpm"})
    blobs.append(small)
    rows = list(enumerate(blobs, start=1))
    for i, b in enumerate(blobs):
        put("pkgdb_rpm", f"header-{i}", b"\3" + b)
    put("pkgdb_rpm", "header-magic", b"\3\x8e\xad\xe8\x01\0\0\0\0" + small)
    hostile = [
        struct.pack(">II", 0xffff, 16) + b"\0" * 64,                     # entries missing
        struct.pack(">IIIIII", 1, 4, 1000, 6, 0xfffffff0, 1) + b"abcd",    # offset past store
        struct.pack(">IIIIII", 1, 4, 1000, 6, 0, 1) + b"abcd",             # not terminated
        struct.pack(">II", 2, 6) + struct.pack(">IIII", 1000, 6, 0, 1)
        + struct.pack(">IIII", 1003, 4, 3, 1) + b"a\0\0\0\0\0",             # epoch past store
        struct.pack(">II", 1, 0x00ffffff) + b"\0" * 16,                     # store not there
    ]
    for i, h in enumerate(hostile):
        put("pkgdb_rpm", f"header-hostile-{i}", b"\3" + h)

    put("pkgdb_rpm", "bdb-real-be", b"\0" + testdata("seaworthy-inventory/testdata/rpm/bdb-mariner-be/Packages"))
    put("pkgdb_rpm", "bdb", b"\0" + bdb(blobs))
    put("pkgdb_rpm", "bdb-cycle", b"\0" + bdb(blobs, cycle=True))
    put("pkgdb_rpm", "bdb-shared-chain", b"\0" + bdb(blobs, shared=True))
    put("pkgdb_rpm", "ndb", b"\1" + ndb(blobs))
    put("pkgdb_rpm", "ndb-overlap", b"\1" + ndb(blobs, overlap=True))

    good = sqlite_db(RPM_SCHEMA, rows)
    put("pkgdb_rpm", "sqlite", b"\2" + good)
    wal = bytearray(good)
    wal[18:20] = b"\2\2"  # WAL mode, which the reader patches to rollback
    put("pkgdb_rpm", "sqlite-wal", b"\2" + bytes(wal))
    # Packages as a view over an endless recursive query; a table beside a view, triggers and
    # an expression index; generated columns; WITHOUT ROWID; a collation nobody registers; a
    # virtual table.
    put("pkgdb_rpm", "sqlite-view", b"\2" + sqlite_db("""
        CREATE TABLE Real (hnum INTEGER PRIMARY KEY, blob BLOB);
        CREATE VIEW Packages AS WITH RECURSIVE r(hnum, blob) AS
          (SELECT 1, x'00' UNION ALL SELECT hnum + 1, blob || blob FROM r) SELECT * FROM r;
        CREATE TRIGGER ins INSTEAD OF INSERT ON Packages BEGIN
          INSERT INTO Real VALUES (NEW.hnum, NEW.blob); END;""", rows))
    put("pkgdb_rpm", "sqlite-view-trigger", b"\2" + sqlite_db(RPM_SCHEMA + """
        CREATE VIEW Slow AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r)
          SELECT n FROM r;
        CREATE TRIGGER t AFTER INSERT ON Packages BEGIN
          INSERT INTO Name VALUES (hex(NEW.blob), NEW.hnum, 0); END;
        CREATE INDEX expr ON Packages (length(blob) * hnum);""", rows))
    put("pkgdb_rpm", "sqlite-generated", b"\2" + sqlite_db("""
        CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, raw BLOB,
          blob BLOB GENERATED ALWAYS AS (raw) VIRTUAL);""", rows, columns="hnum, raw"))
    put("pkgdb_rpm", "sqlite-without-rowid", b"\2" + sqlite_db(
        "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB) WITHOUT ROWID;", rows))
    put("pkgdb_rpm", "sqlite-collation", b"\2" + sqlite_db(
        "CREATE TABLE Packages (hnum TEXT COLLATE fuzzcoll, blob BLOB);", rows,
        setup=lambda c: c.create_collation("fuzzcoll", lambda a, b: (a > b) - (a < b))))
    try:
        put("pkgdb_rpm", "sqlite-virtual", b"\2" + sqlite_db(
            "CREATE VIRTUAL TABLE Packages USING fts5(hnum, blob);", [(1, b"x")]))
    except sqlite3.OperationalError:
        pass  # no fts5 in this Python's sqlite
    # Corrupt rows (blob of the wrong type, NULL, extreme hnum), damaged and lying pages.
    put("pkgdb_rpm", "sqlite-corrupt-row", b"\2" + sqlite_db(
        "CREATE TABLE Packages (hnum, blob);",
        [(1, 42), (2, "text"), (3, None), (2 ** 63 - 1, blobs[0]), (-1, b"")]))
    damaged = bytearray(good)
    for off in range(1024 + 8, 1024 + 40):  # the cell pointers of page 3
        damaged[off] ^= 0xa5
    put("pkgdb_rpm", "sqlite-damaged-page", b"\2" + bytes(damaged))
    put("pkgdb_rpm", "sqlite-truncated", b"\2" + good[:len(good) // 2])
    lying = bytearray(good)
    lying[16:18] = b"\0\1"                # page size 65536
    lying[28:32] = b"\x7f\xff\xff\xff"    # page count
    put("pkgdb_rpm", "sqlite-lying-header", b"\2" + bytes(lying))


# --- other package databases ----------------------------------------------------------------

def dpkg_seeds():
    for name, data in testdata_dir("seaworthy-inventory/testdata/dpkg"):
        if not name.endswith((".oracle", "os-release")):
            put("pkgdb_dpkg", name, data)
    put("pkgdb_dpkg", "no-version", "Package: a\nStatus: install ok installed\nArchitecture: amd64\n\n"
        "Package: b\nVersion:\nStatus: install ok installed\n\nVersion: 1.0\nStatus: install ok installed\n")
    put("pkgdb_dpkg", "odd-stanzas",
        " continuation first\nPackage: c\npackage: C\nVERSION: 1:2.3-4~b+c\nVersion: 9\n"
        "Source: src (1:0)\nStatus: deinstall ok config-files\nno colon here\n:\n: value\n"
        "Description: x\n .\n more\n\r\n\r\nPackage: d\r\nVersion: 1\r\nStatus: install ok installed\r\n"
        "\n\n\n\nPackage: \xff\xfe\nVersion: \x00\nStatus: install ok installed\n")
    put("pkgdb_dpkg", "many", "".join(f"Package: p{i}\nVersion: {i}\nStatus: install ok installed\n\n"
                                      for i in range(500)))


def apk_seeds():
    for name, data in testdata_dir("seaworthy-inventory/testdata/apk"):
        put("pkgdb_apk", name, data)
    put("pkgdb_apk", "hostile", "P:a\nA:x86_64\n\nV:1.0\n\nP:\nV:\n\nP:b\nP:c\nV:1\nV:2\nL:(MIT OR\n"
        "o:\nm:\nC:Q1==\nnot a field\nP:d\r\nV:1-r0\r\n\r\n:\nx\n\n\n\xff:\xfe\n")


LANG_PATHS = ["METADATA", "PKG-INFO", "package.json", "package-lock.json", "yarn.lock",
              "gemspec", "installed.json", "deps.json", "Cargo.lock", "go.mod",
              "requirements.txt", "poetry.lock", "Pipfile.lock"]


def lang(kind, name, data):
    """pkgdb_lang: the first byte picks the file kind (its index in LANG_PATHS)."""
    put("pkgdb_lang", f"{LANG_PATHS[kind]}-{name}", bytes([kind]) + (data.encode() if isinstance(data, str) else data))


def lang_seeds():
    inv = "seaworthy-inventory/testdata/"
    for name, data in testdata_dir(inv + "python", "METADATA"):
        lang(0, name, data)
    for name, data in testdata_dir(inv + "python", "PKG-INFO"):
        lang(1, name, data)
    for name, data in testdata_dir(inv + "npm/node_modules", "package.json")[:3]:
        lang(2, name, data)
    for name, data in testdata_dir(inv + "npm", ".json"):
        if "package-lock" in name:
            lang(3, name, data)
    for name, data in testdata_dir(inv + "npm", ".lock"):
        lang(4, name, data)
    for name, data in testdata_dir(inv + "ruby", ".gemspec")[:3]:
        lang(5, name, data)
    for name, data in testdata_dir(inv + "php", ".json"):
        lang(6, name, data)
    for name, data in testdata_dir(inv + "dotnet", ".json"):
        lang(7, name, data)
    for name, data in testdata_dir(inv + "cargo", ".lock"):
        lang(8, name, data)
    for name, data in testdata_dir(inv + "go", "go.mod"):
        lang(9, name, data)
    for kind, file in ((10, "requirements.txt"), (11, "poetry.lock"), (12, "Pipfile.lock")):
        for name, data in testdata_dir(inv + "python-lock", file):
            lang(kind, name, data)
    deep = "[" * 5000 + "]" * 5000
    lang(0, "hostile", "Metadata-Version: 2.1\nName: \nVersion: ../../x\nName: b\n\n\xff")
    lang(2, "hostile", '{"name": "../../x", "version": {"a": 1}, "dependencies": ' + deep + "}")
    lang(3, "hostile", '{"lockfileVersion": 3, "packages": {"": {}, "node_modules/a": {"version": "1"},'
         ' "node_modules/../../b": {"version": "2"}, "node_modules/a/node_modules/a": {}},'
         ' "dependencies": {"a": {"version": "1", "dependencies": {"a": {"version": "1"}}}}}')
    lang(4, "hostile", '"a@^1", a@~1:\n  version "1.0.0"\n"@scope/x@npm:1":\n  version:\n\n'
         'b@1:\n version "2"\n  resolved "../../x"\n')
    lang(5, "hostile", 'Gem::Specification.new do |s|\n  s.name = "x#{`id`}"\n  s.version = ' * 3)
    lang(8, "hostile", '[[package]]\nname = "a"\n\n[[package]]\nversion = "1"\n'
         '[[package]]\nname = "a"\nversion = "1"\nsource = "git+https://x#" \n[metadata]\n')
    lang(9, "hostile", "module x\n\ngo 1.22\nrequire (\n\ta v1.0.0\n\tb\n)\nreplace a => ../../b\n"
         "replace c v1 => d v2\nrequire (\nexclude e v1\n")
    lang(10, "hostile", "a==1 \\\n  --hash=sha256:00 \\\n\n-r ../../etc/passwd\nb==\nc===1\nd==1 ; x\n" + "e" * 70000)
    lang(11, "hostile", '[[package]]\nname = "a"\nversion = "1"\n[package.source]\ntype = "directory"\n'
         '[[package]]\nname = 1\n[[package]]\n')
    lang(12, "hostile", '{"default": {"a": {"version": "==1"}, "b": {"version": 2}, "c": []},'
         ' "develop": {"a": {"version": "==1"}}, "_meta": ' + deep + "}")


def elf64(sections, segments=()):
    """A little-endian ELF64 executable with the named `sections` [(name, bytes)] and PT_LOAD
    `segments` [(flags, bytes)]."""
    names = b"\0" + b"".join(n + b"\0" for n, _ in sections) + b".shstrtab\0"
    body, shdrs, phdrs = b"", [b"\0" * 64], []
    offset = 64 + 56 * len(segments)
    name_at = 1
    for name, data in sections:
        shdrs.append(struct.pack("<IIQQQQIIQQ", name_at, 1, 0, 0, offset + len(body), len(data), 0, 0, 1, 0))
        name_at += len(name) + 1
        body += data
    for flags, data in segments:
        phdrs.append(struct.pack("<IIQQQQQQ", 1, flags, offset + len(body), 0, 0, len(data), len(data), 1))
        body += data
    shdrs.append(struct.pack("<IIQQQQIIQQ", name_at, 3, 0, 0, offset + len(body), len(names), 0, 0, 1, 0))
    body += names
    shoff = offset + len(body) if sections else 0
    header = b"\x7fELF\2\1\1" + b"\0" * 9 + struct.pack(
        "<HHIQQQIHHHHHH", 2, 62, 1, 0, 64 if segments else 0, shoff, 0, 64, 56, len(segments),
        64, len(shdrs) if sections else 0, len(shdrs) - 1 if sections else 0)
    return header + b"".join(phdrs) + body + (b"".join(shdrs) if sections else b"")


def go_buildinfo(modinfo, version=b"go1.22.1"):
    data = b"\0" * 16 + b"\xff Go buildinf:" + b"\x08\x02" + b"\0" * 16
    for s in (version, modinfo):
        n = len(s)
        while n >= 0x80:
            data += bytes([n & 0x7f | 0x80])
            n >>= 7
        data += bytes([n]) + s
    return data


def binary_seeds():
    mod = (b"0123456789abcdef" + b"path\texample.com/cmd\nmod\texample.com\t(devel)\t\n"
           b"dep\tgolang.org/x/net\tv0.1.0\th1:abc=\n=>\t../net\t\t\nbuild\tGOARCH=amd64\n"
           b"fedcba9876543210")
    deps = json.dumps({"packages": [{"name": "app", "version": "0.1.0", "source": "local", "root": True},
                                    {"name": "serde", "version": "1.0.0", "source": "crates.io"}]}).encode()
    put("pkgdb_binary", "go-and-rust", elf64([(b".go.buildinfo", go_buildinfo(mod)),
                                             (b".dep-v0", zlib.compress(deps))]))
    put("pkgdb_binary", "go-segment-only", elf64([], segments=[(5, b"\x90" * 64), (6, go_buildinfo(mod))]))
    put("pkgdb_binary", "go-lying-lengths", elf64([(b".go.buildinfo", go_buildinfo(b"\xff" * 40)[:-30]
                                                    + b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f")]))
    put("pkgdb_binary", "dep-v0-bomb", elf64([(b".dep-v0", zlib.compress(b" " * (9 << 20), 9))]))
    put("pkgdb_binary", "dep-v0-garbage", elf64([(b".dep-v0", b"\x78\x9c garbage")]))
    xnum = bytearray(elf64([(b".go.buildinfo", go_buildinfo(mod))]))
    struct.pack_into("<HH", xnum, 60, 0, 0xffff)  # extended numbering: counts in section 0
    put("pkgdb_binary", "elf-extended-numbering", bytes(xnum))
    for name, data in testdata_dir("seaworthy-inventory/testdata/java", ".jar"):
        put("pkgdb_binary", name, data)
    nested = zip_of([("META-INF/MANIFEST.MF", b"Implementation-Title: in\nImplementation-Version: 1\n")])
    for depth in range(6):
        nested = zip_of([("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\nBundle-Name: b\n"
                          b" continued\nBundle-Version: 1.%d\n" % depth),
                         ("META-INF/maven/g/a/pom.properties", b"groupId=g\nartifactId=a\nversion=1\n"),
                         (f"WEB-INF/lib/n{depth}.jar", nested), ("../../evil.jar", nested)])
    put("pkgdb_binary", "war-nested", nested)


def zip_of(entries, compression=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in entries:
            z.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), data, compression)
    return buf.getvalue()


# --- vulnerability feeds --------------------------------------------------------------------

def feed_seeds():
    vdb = "seaworthy-vulndb/testdata/"
    osv = testdata_dir(vdb + "osv", ".json")
    node = testdata_dir(vdb + "nodejs-wg", ".json")
    rust = testdata_dir(vdb + "rustsec", ".md")
    ruby = testdata_dir(vdb + "rubysec", ".yml")
    php = testdata_dir(vdb + "friendsofphp", ".yaml")
    # vuln_feed_archive: the same bytes go to the OSV zip and the four tar.gz readers.
    put("vuln_feed_archive", "osv-zip", zip_of([(f"{n}", d) for n, d in osv]))
    put("vuln_feed_archive", "osv-zip-hostile", zip_of(
        [("../../" + osv[0][0], osv[0][1]), ("/abs/" + osv[1][0], osv[1][1]), ("dir/", b""),
         (osv[0][0], osv[1][1]), ("x.json", b"{" * 3000), ("big.json", b" " * (4 << 20))]
        + [(f"r{i}.json", osv[2][1]) for i in range(30)]))
    put("vuln_feed_archive", "osv-zip-stored", zip_of(osv[:3], compression=zipfile.ZIP_STORED))
    members = (
        [("file", f"advisory-db-main/crates/{n.split('.')[0].lower()}/{n}", d) for n, d in rust]
        + [("file", f"ruby-advisory-db/gems/g{i}/{n}", d) for i, (n, d) in enumerate(ruby)]
        + [("file", f"security-advisories/vendor{i}/pkg/{n}", d) for i, (n, d) in enumerate(php)]
        + [("file", f"security-wg/vuln/npm/{n}", d) for n, d in node])
    put("vuln_feed_archive", "advisories-tar-gz", gzip.compress(tar(*members), mtime=0))
    hostile = tar(
        ("file", "../../crates/x/RUSTSEC-0000-0001.md", rust[0][1]),
        ("file", "/gems/x/CVE-0000-0001.yml", ruby[0][1]),
        ("file", "a/" * 20 + "gems/x/y.yml", ruby[0][1]),
        ("file", "r/.hidden/pkg/x.yaml", php[0][1]),
        ("sym", "security-wg/vuln/npm/9.json", "/etc/passwd"),
        ("link", "ruby-advisory-db/gems/y/z.yml", "../../../../etc/shadow"),
        ("dir", "security-wg/vuln/npm/10.json", None),
        ("file", "security-wg/vuln/npm/\udcff.json", b"{}"),
        ("file", "crates/big/RUSTSEC-0000-0002.md", b"x" * ((1 << 20) + 1)),
        ("fifo", "gems/f/CVE-1.yml", None),
        *[("file", f"security-wg/vuln/npm/{i}.json", node[0][1]) for i in range(100, 140)])
    put("vuln_feed_archive", "hostile-tar-gz", gzip.compress(hostile, mtime=0))
    put("vuln_feed_archive", "truncated-tar-gz", gzip.compress(hostile, mtime=0)[:700])
    put("vuln_feed_archive", "bomb-tar-gz", gzip.compress(tar(("file", "gems/x/y.yml", b"\0" * (16 << 20))), mtime=0))

    # vuln_feed_json: each input goes to every JSON parser.
    secdb = testdata_dir(vdb + "wolfi", ".json") + testdata_dir(vdb + "redhat", ".json")
    for name, data in osv + node + testdata_dir(vdb + "alpine", ".json") + testdata_dir(vdb + "debian", ".json") + secdb:
        put("vuln_feed_json", name, data)
    put("vuln_feed_json", "hostile-osv", json.dumps({
        "id": "X-1", "modified": "not a date", "aliases": ["X-1"] * 50,
        "affected": [{"package": {"ecosystem": "npm", "name": "../../x", "purl": "pkg:npm/%zz"},
                      "ranges": [{"type": "SEMVER", "events": [{"fixed": "1"}, {"introduced": "2"},
                                                               {"introduced": "0"}, {"limit": "*"}]},
                                 {"type": "ECOSYSTEM", "events": []}, {"type": "GIT", "repo": "x"}],
                      "versions": ["", "\u0000"]}],
        "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AV:N/XX:Y"},
                     {"type": "CVSS_V4", "score": "garbage"}]}))
    put("vuln_feed_json", "hostile-alpine", json.dumps({
        "distroversion": "v3.\u0000", "reponame": "main", "packages": [
            {"pkg": {"name": "a", "secfixes": {"0": ["CVE-1 CVE-2", ""], "1.2-r0": None,
                                               "": ["XSA-1"], "9" * 400: ["CVE-2020-0001"]}}}]}))
    put("vuln_feed_json", "hostile-debian", json.dumps({
        "pkg": {"CVE-2020-0001": {"releases": {"bookworm": {"status": "resolved", "fixed_version": "0",
                                                            "urgency": "unimportant", "repositories": {}},
                                               "sid": 17, "x": {"status": None}}},
                "TEMP-0000000-000000": [], "": {}}}))
    put("vuln_feed_json", "deep", "[" * 100000)

    # vuln_feed_text: Debian lists, RustSec Markdown, rubysec and FriendsOfPHP YAML.
    for name, data in (testdata_dir(vdb + "debian", ".list") + rust + ruby + php):
        put("vuln_feed_text", name, data)
    put("vuln_feed_text", "yaml-aliases", "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c]\n"
        "gem: x\ncve: 2020-0001\npatched_versions: *d\nbranches: {m: {versions: *d}}\n")
    put("vuln_feed_text", "yaml-hostile", "gem: !!binary x\n? [a]\n: b\ndate: 2020-13-45\n"
        "patched_versions: ['>= 1', '~> ', '< 99999999999999999999999']\nunaffected_versions: {}\n"
        "reference: composer://../..\nbranches:\n  master:\n    time: null\n    versions: ['>=1', '<']\n")
    put("vuln_feed_text", "rustsec-hostile", '```toml\n[advisory]\nid = "RUSTSEC-0000-0000"\n'
        'package = "x"\ndate = "2020-02-30"\n[versions]\npatched = [">= 1, < 0", "^"]\n'
        'unaffected = ["=*"]\n[affected]\nfunctions = { "x::y" = ["< 1"] }\n```\n```\n# t\n')
    put("vuln_feed_text", "debian-hostile", "CVE-2020-0001 (x\n\t- pkg <unfixed>\n\t[bookworm] - pkg <no-dsa> (\n"
        "\t- pkg 1.0 (bug #1; unimportant)\n\tNOTE: x\nCVE-2020-XXXX [y]\n\t{CVE-1 CVE-2}\n"
        "[01 Jan 2023] DSA-1-1 pkg - x\n\t{CVE-2020-0001}\n\t[bookworm] - pkg 1:2.3-4\n\t[] - \n"
        "[99 Xyz 9999] DSA-\n\t- \n")

    # vuln_intel: the first byte: bit 0 gzip-compresses the rest, bit 1 then cuts it short.
    intel = [(n, d) for n, d in testdata_dir(vdb + "intel") if not n.endswith(".md")]
    for name, data in intel:
        put("vuln_intel", name, b"\x00" + data)
        put("vuln_intel", name + "-gz", b"\x01" + data)
        put("vuln_intel", name + "-gz-cut", b"\x03" + data)
    put("vuln_intel", "hostile-nvd", b"\x00" + json.dumps({
        "format": "NVD_CVE", "vulnerabilities": [
            {"cve": {"id": "CVE-2024-0001", "id": 7, "descriptions": [{"lang": "en", "value": "x" * 5000}],
                     "metrics": {"cvssMetricV31": [{"source": "nvd@nist.gov", "type": "Primary",
                                                    "cvssData": {"version": "9.9", "vectorString": "CVSS:3.1/AV:N"}}],
                                 "cvssMetricV40": {"x": 1}, "cvssMetricV2": [None, 1, "x"]},
                     "weaknesses": [{"description": [{"lang": "en", "value": "CWE-" + "9" * 100}]}]}},
            {"cve": [1, 2]}, None, {"cve": {"id": "cve-2024-0002", "metrics": {}}}]}).encode())
    put("vuln_intel", "hostile-kev", b"\x00" + json.dumps({
        "catalogVersion": "x" * 500, "vulnerabilities": [
            {"cveID": "CVE-2024-0001", "dateAdded": "", "dueDate": "2024-01-01"},
            {"cveID": "CVE-2024-0002", "dateAdded": "2024", "dueDate": "2024", "knownRansomwareCampaignUse": 1,
             "vulnerabilityName": "\u0000" * 300}, 5]}).encode())
    put("vuln_intel", "hostile-epss", b"\x00#model_version:,score_date\ncve,epss,percentile\n"
        b"CVE-2021-44228,1e308,0.5\nCVE-2021-44228,-0,1\nCVE-2021-1,0.1,0.1\n" + b"9" * 3000 + b"\n"
        b"CVE-2021-44228,0x1,0.5\r\n\xff\xfe\n")
    put("vuln_intel", "deep", b"\x00{\"vulnerabilities\": [{\"cve\": {\"metrics\": " + b"[" * 100000)

    # vuln_ranges: "<requirement>\n<version>".
    for syntax in ("npm", "gem", "composer"):
        with open(os.path.join(CRATES, vdb + f"ranges/{syntax}-oracle.tsv"), encoding="utf-8") as f:
            rows = [line.split("\t") for line in f if "\t" in line]
        for i, row in enumerate(rows[:: max(1, len(rows) // 25)]):
            put("vuln_ranges", f"{syntax}-{i}", f"{row[0]}\n{row[1]}")
    for i, r in enumerate(["^0.0.0-0 || >=1.2.3-alpha.1 <2", ">= 1.0, < 2.0, != 1.5.*", "~> 1.2.3.4.5",
                           "1.2.x - 3.*", "^" + "9" * 40, ">=1 <1", "=v1.2.3+build", "*"]):
        put("vuln_ranges", f"edge-{i}", f"{r}\n1.2.3-rc.1")


# --- text targets (Dockerfiles, compose, docker run, shell, secrets, policy, signatures) ------

def text_seeds():
    for name, data in testdata_dir("seaworthy-dockerfile/testdata/corpus"):
        put("dockerfile", name, data)
        for i, line in enumerate(l for l in data.decode(errors="replace").split("\nRUN ")[1:4]):
            put("shell", f"{name}-{i}", line.split("\n\n")[0])
    put("dockerfile", "heredoc", "# escape=`\nFROM a AS b\nRUN <<EOF cat >/x\n$(id)\nEOF\nCOPY --from=b / /\n"
        "ONBUILD ONBUILD RUN x\nHEALTHCHECK CMD\nARG A=${B:-${C:+${D}}}\nSHELL [\"/bin/sh\"\n")
    put("shell", "hostile", "set -e; a=$( (echo $((1+$(( 2 )) )) ) ); case x in (y) ;; esac; "
        "f() { f | f & }; cat <<-'E'\n\tx\n\tE\n${a//\\//x} \"unterminated")
    for name, data in testdata_dir("seaworthy-container/testdata/compose"):
        put("compose", name, data)
    put("compose", "aliases", "x: &a {image: a, privileged: true, cap_add: [ALL]}\n"
        "y: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nz: &c [*b, *b, *b, *b, *b, *b, *b, *b]\n"
        "services:\n  s: {<<: *a, volumes: ['/:/host', {type: bind, source: /var/run/docker.sock,"
        " target: /s}], ports: ['${SET:-0.0.0.0}:80:80'], network_mode: host, pid: host}\n"
        "  t: {image: '${UNSET:?err}', deploy: {resources: {limits: {memory: 1e400}}}}\n")
    for i, argv in enumerate([
        ["docker", "run", "--privileged", "-v", "/:/host", "--net=host", "--pid", "host", "img"],
        ["run", "--cap-add=ALL", "--security-opt", "seccomp=unconfined", "-p", "0.0.0.0:22:22",
         "--device", "/dev/mem", "-u", "0", "--memory=-1", "img", "--", "sh"],
        ["docker", "container", "run", "-itd", "--rm", "-e", "A", "--mount",
         "type=bind,src=/etc,dst=/e,readonly", "--ulimit", "nofile=1:x", "img"],
        ["run", "--", "--privileged"], ["run", "-v"]]):
        put("docker_run", f"argv-{i}", "\0".join(argv))
    paths = ["etc/app.conf", ".netrc", ".pypirc", ".git-credentials", ".env", "config.json",
             ".npmrc", "sa.json"]
    for root in ("app", "home"):
        for name, data in testdata_dir("seaworthy-secrets/testdata/" + root):
            kind = next((i for i, p in enumerate(paths) if p == name or name.endswith(p)), 0)
            put("secrets_scan", f"{root.replace('/', '-')}-{name}", bytes([kind]) + data)
    put("secrets_scan", "known-keys", b"\0AKIAIOSFODNN7EXAMPLE\nghp_" + b"a" * 36 + b"\n"
        b"-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n"
        b"xoxb-1-2-\xff\xfe\npassword=\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\n")
    put("secrets_scan", "netrc-odd", b"\1machine a login b password\nmachine\npassword \"x y\" default password z")
    put("policy_inputs", "trivyignore", "\0# reason\nCVE-2023-4911 exp:2026-12-01\nGHSA-xxxx-yyyy-zzzz\n"
        "CVE-1 exp:2026-02-30\n\xef\xbb\xbfCVE-2 exp:\n# only comment\n")
    put("policy_inputs", "openvex", b"\1" + json.dumps({
        "@context": "https://openvex.dev/ns/v0.2.0", "@id": "x", "author": "a", "version": 1,
        "timestamp": "2026-01-01T00:00:00Z", "statements": [
            {"vulnerability": {"name": "CVE-2023-4911"}, "status": "not_affected",
             "justification": "vulnerable_code_not_present",
             "products": [{"@id": "pkg:deb/debian/libc6@2.36-9?arch=amd64",
                           "subcomponents": [{"@id": "pkg:deb/debian/libc6"}]}]},
            {"vulnerability": {"name": "GHSA-xxxx-yyyy-zzzz", "aliases": ["CVE-2023-4911"]},
             "status": "affected", "products": [{"@id": "registry.example/app:1.2"}]},
            {"vulnerability": {}, "status": "fixed", "products": []}]}).encode())
    put("policy_inputs", "baseline", b"\2" + json.dumps({"results": [
        {"fingerprint": "CVE-2023-4911:0000000000000000"}, {"fingerprint": 5},
        {"nested": [{"fingerprint": "CVE-2023-4911:0000000000000000"}]}]}).encode())
    digest = "sha256:" + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    put("signature_payload", "payload", json.dumps({
        "critical": {"identity": {"docker-reference": "example.test/app"},
                     "image": {"docker-manifest-digest": digest},
                     "type": "cosign container image signature"}, "optional": {"creator": "x"}}))
    for name, data in testdata_dir("seaworthy-oci/testdata/signature", ".pem"):
        if b"PRIVATE" not in data:
            put("signature_payload", name, data)


def sbom_seeds():
    """sbom_read: CycloneDX, SPDX and Syft JSON documents, real and hostile."""
    for name, data in testdata_dir("seaworthy-inventory/testdata/sbom", ".json"):
        put("sbom_read", name, data)
    deb = "pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1?arch=amd64&distro=debian-12"
    put("sbom_read", "cyclonedx", json.dumps({
        "bomFormat": "CycloneDX", "specVersion": "1.6", "components": [
            {"type": "operating-system", "name": "debian", "version": "12"},
            {"type": "library", "name": "zlib1g", "purl": deb, "properties": [
                {"name": "seaworthy:cataloger", "value": "dpkg"},
                {"name": "seaworthy:source:name", "value": "zlib"},
                {"name": "seaworthy:location:path", "value": "/var/lib/dpkg/status"},
                {"name": "seaworthy:layer:index", "value": "3"},
                {"name": "seaworthy:layer:digest", "value": "sha256:" + "1" * 64},
                {"name": "syft:location:0:layerID", "value": "sha256:" + "2" * 64}]},
            {"type": "library", "name": "x", "purl": "pkg:rpm/rocky/x@1-2?epoch=1",
             "components": [{"type": "library", "name": "y", "purl": "pkg:npm/%40s/y@1"}]},
            {"type": "library", "name": "z", "purl": "pkg:swift/z@1"},
            {"type": "library", "name": "w", "purl": 5}]}))
    put("sbom_read", "spdx", json.dumps({
        "spdxVersion": "SPDX-2.3", "packages": [
            {"SPDXID": "SPDXRef-OperatingSystem", "name": "alpine", "versionInfo": "3.20.3",
             "primaryPackagePurpose": "OPERATING_SYSTEM"},
            {"SPDXID": "SPDXRef-Package-apk-busybox", "name": "busybox", "versionInfo": "1.36.1-r29",
             "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                               "referenceLocator": "pkg:apk/alpine/busybox@1.36.1-r29?arch=x86_64"}],
             "sourceInfo": "cataloger apk: layer 0 sha256:" + "1" * 64 + ", path /lib/apk/db/installed"
                           "; layer 99999999999999999999, path /x; source package busybox 1.36.1-r29"}]}))
    put("sbom_read", "truncated", '{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{"purl": "pkg:')
    put("sbom_read", "deep", '{"artifacts": ' + "[" * 200 + "]" * 200 + "}")


def main():
    base, escapes, whiteouts = layer_seeds()
    image_seeds(base, escapes, whiteouts)
    rpm_seeds()
    dpkg_seeds()
    apk_seeds()
    lang_seeds()
    binary_seeds()
    feed_seeds()
    text_seeds()
    sbom_seeds()
    for target in sorted(os.listdir(CORPUS)):
        seeds = [f for f in os.listdir(os.path.join(CORPUS, target)) if f.startswith("seed-")]
        print(f"{target}: {len(seeds)} seeds")


if __name__ == "__main__":
    main()
