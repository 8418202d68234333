#!/usr/bin/env python3
"""Seeds a registry v2 on loopback with the images the benchmark uses, built here:
bench/busybox (one layer: Debian's static busybox), bench/big (three layers of about 17 MB
of random bytes each, gzip, over busybox) and bench/tiny (one layer of one small file). Usage: seed-registry.py HOST:PORT"""
import gzip, hashlib, io, json, os, sys, tarfile, urllib.request

REG = sys.argv[1]

def layer(files):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w') as t:
        for name, data, mode, kind in files:
            ti = tarfile.TarInfo(name)
            ti.mode = mode
            if kind == 'dir':
                ti.type = tarfile.DIRTYPE
                t.addfile(ti)
            elif kind == 'link':
                ti.type = tarfile.SYMTYPE
                ti.linkname = data
                t.addfile(ti)
            else:
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
    raw = buf.getvalue()
    return gzip.compress(raw, compresslevel=1, mtime=0), raw

def put_blob(repo, data):
    dg = 'sha256:' + hashlib.sha256(data).hexdigest()
    r = urllib.request.urlopen(urllib.request.Request(f'http://{REG}/v2/{repo}/blobs/uploads/', method='POST'))
    loc = r.headers['Location']
    if loc.startswith('/'):
        loc = f'http://{REG}' + loc
    sep = '&' if '?' in loc else '?'
    urllib.request.urlopen(urllib.request.Request(loc + sep + 'digest=' + dg, data=data, method='PUT',
                                                  headers={'Content-Type': 'application/octet-stream'}))
    return dg

def push(repo, layers):
    descs, diffs = [], []
    for gz, raw in layers:
        descs.append({'mediaType': 'application/vnd.docker.image.rootfs.diff.tar.gzip', 'size': len(gz),
                      'digest': put_blob(repo, gz)})
        diffs.append('sha256:' + hashlib.sha256(raw).hexdigest())
    cfg = json.dumps({'architecture': 'amd64', 'os': 'linux', 'created': '2026-01-01T00:00:00Z',
                      'config': {'Env': ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
                                 'Cmd': ['sh']},
                      'rootfs': {'type': 'layers', 'diff_ids': diffs}}).encode()
    man = json.dumps({'schemaVersion': 2, 'mediaType': 'application/vnd.docker.distribution.manifest.v2+json',
                      'config': {'mediaType': 'application/vnd.docker.container.image.v1+json', 'size': len(cfg),
                                 'digest': put_blob(repo, cfg)},
                      'layers': descs}).encode()
    urllib.request.urlopen(urllib.request.Request(f'http://{REG}/v2/{repo}/manifests/latest', data=man, method='PUT',
                           headers={'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json'}))

bb = open('/bin/busybox', 'rb').read()
files = [('bin', None, 0o755, 'dir'), ('etc', None, 0o755, 'dir'), ('tmp', None, 0o1777, 'dir'),
         ('bin/busybox', bb, 0o755, 'file'),
         ('etc/passwd', b'root:x:0:0:root:/root:/bin/sh\n', 0o644, 'file'),
         ('etc/group', b'root:x:0:\n', 0o644, 'file')]
for a in ['sh', 'true', 'echo', 'sleep', 'cat', 'yes', 'head', 'seq', 'printf', 'wc']:
    files.append(('bin/' + a, 'busybox', 0o777, 'link'))
base = layer(files)
push('bench/busybox', [base])
big = [base]
for i in range(3):
    big.append(layer([(f'data{i}', os.urandom(17 * 1000 * 1000), 0o644, 'file')]))
push('bench/big', big)
push('bench/tiny', [layer([('hello', b'hello\n', 0o644, 'file')])])
print('seeded', REG)
