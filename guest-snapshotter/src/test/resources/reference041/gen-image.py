#!/usr/bin/env python3
"""Deterministically writes the OCI image layout used for the reference041 fixtures.

usage: gen-image.py OUTDIR
Writes OUTDIR/oci (an OCI image layout, tag "t") with two gzip layers:
  layer 0 (~12.6 MiB tar, ~6 MiB gzip): base64 of seeded random bytes + log-like text + odd entries
  layer 1 (tiny): hello.txt
Tar: Python tarfile, PAX format, mtime 1700000000, uid/gid 0/0 (root/root) unless stated.
Gzip: GNU `gzip -n -6` (10-byte header, no name, mtime 0), so the bytes are reproducible.
"""
import base64, hashlib, io, json, os, random, subprocess, sys, tarfile

out = sys.argv[1]
MTIME = 1700000000

def ti(name, size=0, type=tarfile.REGTYPE, mode=0o644, **kw):
    t = tarfile.TarInfo(name)
    t.size, t.type, t.mode, t.mtime = size, type, mode, MTIME
    t.uid = kw.get("uid", 0); t.gid = kw.get("gid", 0)
    t.uname = kw.get("uname", "root"); t.gname = kw.get("gname", "root")
    if "linkname" in kw: t.linkname = kw["linkname"]
    if "pax" in kw: t.pax_headers = kw["pax"]
    return t

def layer0():
    rnd = random.Random(20261122)
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=tarfile.PAX_FORMAT) as tf:
        tf.addfile(ti("data/", type=tarfile.DIRTYPE, mode=0o755))
        raw = bytes(rnd.getrandbits(8) for _ in range(4_800_000))
        b64 = base64.encodebytes(raw)  # 76-char lines
        tf.addfile(ti("data/random.b64", len(b64)), io.BytesIO(b64))
        words = ["GET", "PUT", "/v2/x/blobs/", "sha256:", "200", "206", "404", "span", "ztoc",
                 "layer", "registry", "containerd", "INFO", "WARN", "DEBUG", "ms", "bytes="]
        lines = []
        n = 0
        i = 0
        while n < 6_000_000:
            ln = "2026-11-22T10:%02d:%02d.%06dZ %s %s %d %016x\n" % (
                (i // 60) % 60, i % 60, rnd.randrange(1000000), rnd.choice(words),
                " ".join(rnd.choice(words) for _ in range(rnd.randrange(2, 8))),
                rnd.randrange(100000), rnd.getrandbits(64))
            lines.append(ln); n += len(ln); i += 1
        log = "".join(lines).encode()
        tf.addfile(ti("data/log.txt", len(log), uid=1000, gid=1000, uname="user", gname="users"),
                   io.BytesIO(log))
        small = b"hello from the reference041 fixture\n"
        tf.addfile(ti("data/small.txt", len(small), mode=0o600), io.BytesIO(small))
        tf.addfile(ti("data/empty", 0))
        tf.addfile(ti("data/link", type=tarfile.SYMTYPE, mode=0o777, linkname="small.txt"))
        tf.addfile(ti("data/hard", type=tarfile.LNKTYPE, linkname="data/small.txt"))
        x = b"file with an xattr\n"
        tf.addfile(ti("data/xattr.txt", len(x), pax={"SCHILY.xattr.user.note": "fixture"}), io.BytesIO(x))
        long = "data/" + "d" * 60 + "/" + "f" * 80 + ".txt"
        tf.addfile(ti("data/" + "d" * 60 + "/", type=tarfile.DIRTYPE, mode=0o755))
        tf.addfile(ti(long, len(small)), io.BytesIO(small))
        tf.addfile(ti("data/.wh.gone", 0))
    return b.getvalue()

def layer1():
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=tarfile.PAX_FORMAT) as tf:
        h = b"hello\n"
        tf.addfile(ti("hello.txt", len(h)), io.BytesIO(h))
    return b.getvalue()

def gz(data):
    return subprocess.run(["gzip", "-n", "-6", "-c"], input=data, stdout=subprocess.PIPE, check=True).stdout

blobs = os.path.join(out, "oci", "blobs", "sha256")
os.makedirs(blobs, exist_ok=True)

def put(data):
    d = hashlib.sha256(data).hexdigest()
    with open(os.path.join(blobs, d), "wb") as f:
        f.write(data)
    return "sha256:" + d

layers, diffids = [], []
for tar in (layer0(), layer1()):
    z = gz(tar)
    diffids.append("sha256:" + hashlib.sha256(tar).hexdigest())
    layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": put(z), "size": len(z)})

cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                  "rootfs": {"type": "layers", "diff_ids": diffids}}, separators=(",", ":")).encode()
man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                  "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": put(cfg), "size": len(cfg)},
                  "layers": layers}, separators=(",", ":")).encode()
md = put(man)
with open(os.path.join(out, "oci", "oci-layout"), "w") as f:
    f.write('{"imageLayoutVersion":"1.0.0"}')
with open(os.path.join(out, "oci", "index.json"), "w") as f:
    json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
               "digest": md, "size": len(man), "annotations": {"org.opencontainers.image.ref.name": "t"}}]}, f)
print("manifest", md, len(man))
for l, d in zip(layers, diffids):
    print("layer", l["digest"], l["size"], "diff_id", d)
