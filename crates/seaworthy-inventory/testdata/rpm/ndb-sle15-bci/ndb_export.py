# Independent reading of an rpm ndb Packages.db: writes each slot's header blob as an
# `rpmdb --exportdb` stream (magic 8eade801, 4 reserved bytes, header image) to stdout.
import struct, sys
d = open(sys.argv[1], 'rb').read()
assert d[:4] == b'RpmP'
npages = struct.unpack_from('<I', d, 12)[0]
out = sys.stdout.buffer
for off in range(32, npages * 4096, 16):
    magic, idx, blkoff, blkcnt = struct.unpack_from('<4sIII', d, off)
    if magic != b'Slot' or idx == 0:
        continue
    b = blkoff * 16
    bmagic, bidx, gen, blen = struct.unpack_from('<4sIII', d, b)
    assert bmagic == b'BlbS' and bidx == idx
    out.write(b'\x8e\xad\xe8\x01\x00\x00\x00\x00' + d[b + 16:b + 16 + blen])
