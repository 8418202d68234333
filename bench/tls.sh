#!/usr/bin/env bash
# What TLS with client certificates (tenants) costs: the same `serve` on the same machine, once on
# plain TCP (the local account) and once with --tlsverify (a certificate sdc-dockeradm issued),
# each timed the same way, runs interleaved (plain, TLS, plain, ...):
#   docker run --rm IMAGE true            (the CLI's whole run: connect, create, attach, start, wait, rm)
#   GET /containers/json?all=1            (raw HTTP over one kept-alive connection; 200 containers)
#   docker ps -a                          (the CLI, new connection and handshake each time)
#
#   bench/tls.sh [--runs 20] [--containers 200]
#
# Needs root. Uses its own data roots, ports 2396 (plain) and 2397 (TLS), and removes everything it
# made. Every loop is bounded by a count.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
RUNS=20
N=200
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS=$2; shift 2 ;;
    --containers) N=$2; shift 2 ;;
    *) echo "usage: $0 [--runs N] [--containers N]" >&2; exit 2 ;;
  esac
done
work=$(mktemp -d)
PLAIN=tcp://127.0.0.1:2396
TLS=tcp://127.0.0.1:2397
pids=()

cleanup() {
  for h in plain tls; do
    if [ -S "$work/$h.sock" ]; then
      ids=$(DOCKER_HOST=unix://$work/$h.sock docker ps -aq 2>/dev/null)
      [ -n "$ids" ] && echo "$ids" | xargs -r -n 50 env DOCKER_HOST=unix://$work/$h.sock docker rm -f > /dev/null 2>&1
    fi
  done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

stats() { sort -n | awk '{a[NR]=$1} END {m = NR % 2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2; printf "%.1f ms (%.1f-%.1f, %d runs)", m, a[1], a[NR], NR}'; }
ms() { echo "$(( ($2 - $1) / 1000 ))" | awk '{printf "%.1f\n", $1 / 1000}'; }

mkdir -p "$work/rootfs/bin"
cp "$(command -v busybox)" "$work/rootfs/bin/busybox"
for c in sh sleep true; do ln -s busybox "$work/rootfs/bin/$c"; done
tar -C "$work/rootfs" -c . > "$work/rootfs.tar"

start() { # name host extra...
  local name=$1 host=$2; shift 2
  setsid "$repo/bin/sdc-docker" serve --data-root "$work/$name" -H "$host" -H "unix://$work/$name.sock" "$@" \
    > "$work/$name.log" 2>&1 < /dev/null &
  pids+=($!)
  for i in $(seq 300); do
    DOCKER_HOST=unix://$work/$name.sock docker version > /dev/null 2>&1 && return 0
    sleep 0.2
  done
  cat "$work/$name.log"; exit 1
}
start plain "$PLAIN"
start tls "$TLS" --tlsverify
"$repo/bin/sdc-dockeradm" --socket "$work/tls/frontend/admin.sock" account add bench --approve > /dev/null
"$repo/bin/sdc-dockeradm" --socket "$work/tls/frontend/admin.sock" cert issue bench --out "$work/certs" --host "$TLS" > /dev/null

plain() { env -u DOCKER_TLS_VERIFY -u DOCKER_CERT_PATH DOCKER_HOST=$PLAIN "$@"; }
tls() { env DOCKER_HOST=$TLS DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH="$work/certs" "$@"; }
plain docker import "$work/rootfs.tar" bench:1 > /dev/null
tls docker import "$work/rootfs.tar" bench:1 > /dev/null
for m in plain tls; do $m docker run --rm bench:1 true > /dev/null; done # warm

echo "== docker run --rm bench:1 true"
for i in $(seq "$RUNS"); do
  for m in plain tls; do
    s=$(date +%s%N); $m docker run --rm bench:1 true > /dev/null; e=$(date +%s%N)
    ms "$s" "$e" >> "$work/run.$m"
  done
done
echo "plain TCP: $(stats < "$work/run.plain")"
echo "TLS:       $(stats < "$work/run.tls")"

echo "== $N containers"
python3 - "$RUNS" "$PLAIN" "$TLS" "$work/certs" "$N" <<'EOF'
import http.client, json, ssl, statistics, sys, time
runs, plain, tls, certs, n = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
def conn(h, secure):
    host, port = h[len('tcp://'):].rsplit(':', 1)
    if not secure:
        return http.client.HTTPConnection(host, int(port))
    ctx = ssl.create_default_context(cafile=certs + '/ca.pem')
    ctx.load_cert_chain(certs + '/cert.pem', certs + '/key.pem')
    return http.client.HTTPSConnection(host, int(port), context=ctx)
cs = {'plain TCP': conn(plain, False), 'TLS': conn(tls, True)}
body = json.dumps({'Image': 'bench:1', 'Cmd': ['sleep', '1'], 'Labels': {'sdc-bench': '1'}})
for k, c in cs.items():
    for i in range(n):
        c.request('POST', '/containers/create', body, {'Content-Type': 'application/json'})
        r = c.getresponse(); r.read()
        if r.status != 201:
            sys.exit('%s create answered %d' % (k, r.status))
out = {k: [] for k in cs}
for i in range(runs + 5):
    for k, c in cs.items():
        s = time.perf_counter()
        c.request('GET', '/containers/json?all=1')
        r = c.getresponse(); body = r.read()
        if r.status != 200:
            sys.exit('%s answered %d' % (k, r.status))
        if i >= 5:
            out[k].append((time.perf_counter() - s) * 1000)
for k, v in out.items():
    v.sort()
    print('GET /containers/json?all=1, %-9s %.2f ms (%.2f-%.2f, %d runs, %d bytes)' % (k + ':', statistics.median(v), v[0], v[-1], len(v), len(body)))
EOF
echo "== docker ps -a"
for i in $(seq "$RUNS"); do
  for m in plain tls; do
    s=$(date +%s%N); $m docker ps -a > /dev/null; e=$(date +%s%N)
    ms "$s" "$e" >> "$work/ps.$m"
  done
done
echo "plain TCP: $(stats < "$work/ps.plain")"
echo "TLS:       $(stats < "$work/ps.tls")"
