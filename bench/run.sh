#!/usr/bin/env bash
# Benchmarks sdc-docker with the real docker CLI (and raw HTTP where the CLI's own start would
# hide the server's time), side by side with a reference engine when one is given, interleaved
# run by run (A B A B ...). Prints medians, min-max and the ratio ours/reference.
#
#   bench/run.sh [--ours tcp://127.0.0.1:2375] [--ours-unix unix:///var/run/sdc-docker.sock]
#                [--reference unix:///run/docker.sock] [--runs 10]
#
# With --ours-unix (our server's unix socket), /_ping is also timed over it, the transport of a
# unix-socket reference, next to the main line over --ours.
#
# It starts its own registry on loopback (Debian's docker-registry), seeds it with images it
# builds, labels everything it creates sdc-bench=1 and removes it at the end. Every loop is
# bounded by --runs or a fixed count.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
OURS=tcp://127.0.0.1:2375
OURS_UNIX=""
REF=""
RUNS=10
while [ $# -gt 0 ]; do
  case "$1" in
    --ours) OURS=$2; shift 2 ;;
    --ours-unix) OURS_UNIX=$2; shift 2 ;;
    --reference) REF=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    *) echo "usage: $0 [--ours HOST] [--ours-unix HOST] [--reference HOST] [--runs N]" >&2; exit 2 ;;
  esac
done
engines=(ours); [ -n "$REF" ] && engines+=(ref)
host() { [ "$1" = ours ] && echo "$OURS" || echo "$REF"; }
d() { local e=$1; shift; DOCKER_HOST=$(host "$e") docker "$@"; }

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s/reg\nhttp:\n  addr: 127.0.0.1:%s\n' \
  "$work" "$port" > "$work/reg.yml"
docker-registry serve "$work/reg.yml" > "$work/reg.log" 2>&1 &
regpid=$!
cleanup() {
  for e in "${engines[@]}"; do
    ids=$(d "$e" ps -aq --filter label=sdc-bench=1 2>/dev/null)
    [ -n "$ids" ] && d "$e" rm -f $ids > /dev/null 2>&1
  done
  kill "$regpid" 2>/dev/null; wait "$regpid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
for i in $(seq 100); do curl -s "http://127.0.0.1:$port/v2/" > /dev/null && break; sleep 0.1; done
python3 "$here/seed-registry.py" "127.0.0.1:$port" > /dev/null || { echo "seeding the registry failed" >&2; exit 1; }
IMG=127.0.0.1:$port/bench/busybox
BIG=127.0.0.1:$port/bench/big
TINY=127.0.0.1:$port/bench/tiny

ms() { local s e; s=$(date +%s%N); "$@" > /dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
stats() { sort -n | awk '{a[NR]=$1} END {m = NR % 2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2; printf "%s %s %s", m, a[1], a[NR]}'; }
report() { # name unit ours-file [ref-file]
  local name=$1 unit=$2 o r om omin omax
  read -r om omin omax < <(stats < "$3")
  if [ -n "${4:-}" ] && [ -s "$4" ]; then
    read -r rm rmin rmax < <(stats < "$4")
    printf '%-34s ours %8s %s (%s-%s)   ref %8s %s (%s-%s)   ratio %s\n' "$name" "$om" "$unit" "$omin" "$omax" \
      "$rm" "$unit" "$rmin" "$rmax" "$(awk -v a="$om" -v b="$rm" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')"
  else
    printf '%-34s ours %8s %s (%s-%s)\n' "$name" "$om" "$unit" "$omin" "$omax"
  fi
}
api() { # engine method path [json]
  local h; h=$(host "$1")
  local url sock=()
  case "$h" in
    unix://*) sock=(--unix-socket "${h#unix://}"); url="http://localhost$3" ;;
    tcp://*) url="http://${h#tcp://}$3" ;;
  esac
  if [ -n "${4:-}" ]; then
    curl -s "${sock[@]}" -X "$2" -H 'Content-Type: application/json' -d "$4" "$url"
  else
    curl -s "${sock[@]}" -X "$2" "$url"
  fi
}

for e in "${engines[@]}"; do d "$e" pull -q "$IMG" > /dev/null; d "$e" run --rm "$IMG" true; done

kib() { awk -v k="$1" '/^(Rss|Pss):/ {if ($1 == k ":") s += $2} END {print s + 0}' $(for p in $2; do echo "/proc/$p/smaps_rollup"; done) 2>/dev/null; }
memory() { # what the management processes hold: our JVM, and dockerd+containerd
  local ourpids refd refc
  ourpids=$(pgrep -f org.sdcdocker.launcher.Main | tr '\n' ' ')
  echo "ours: JVM RSS $(( $(kib Rss "$ourpids") / 1024 )) PSS $(( $(kib Pss "$ourpids") / 1024 ))"
  if [ -n "$REF" ]; then
    refd=$(pgrep -x dockerd | tr '\n' ' ') refc=$(pgrep -x containerd | tr '\n' ' ')
    echo "ref:  dockerd+containerd RSS $(( $(kib Rss "$refd $refc") / 1024 )) PSS $(( $(kib Pss "$refd $refc") / 1024 ))"
  fi
}
echo "== 0. memory (RSS and PSS in MiB), idle"
sleep 10 # idle: ten seconds after the last request, for both engines (each gives freed memory back in the background)
memory

echo "== 1. run --rm IMAGE true, and create/start/wait/rm through the API ($RUNS runs each)"
for i in $(seq "$RUNS"); do
  for e in "${engines[@]}"; do ms d "$e" run --rm --label sdc-bench=1 "$IMG" true >> "$work/run.$e"; done
done
for i in $(seq "$RUNS"); do
  for e in "${engines[@]}"; do
    s=$(date +%s%N)
    id=$(api "$e" POST /containers/create "{\"Image\":\"$IMG\",\"Cmd\":[\"true\"],\"Labels\":{\"sdc-bench\":\"1\"}}" | sed 's/.*"Id":"\([0-9a-f]*\)".*/\1/')
    c=$(date +%s%N); api "$e" POST "/containers/$id/start" > /dev/null
    t=$(date +%s%N); api "$e" POST "/containers/$id/wait" > /dev/null
    w=$(date +%s%N); api "$e" DELETE "/containers/$id" > /dev/null
    r=$(date +%s%N)
    echo $(( (c - s) / 1000000 )) >> "$work/create.$e"; echo $(( (t - c) / 1000000 )) >> "$work/start.$e"
    echo $(( (w - t) / 1000000 )) >> "$work/wait.$e"; echo $(( (r - w) / 1000000 )) >> "$work/rm.$e"
  done
done
report "docker run --rm true" ms "$work/run.ours" "$work/run.ref"
for p in create start wait rm; do report "API $p" ms "$work/$p.ours" "$work/$p.ref"; done

echo "== 2. docker exec C true ($RUNS runs)"
for e in "${engines[@]}"; do d "$e" run -d --name "bench-exec-$e" --label sdc-bench=1 "$IMG" sleep 300 > /dev/null; done
for i in $(seq "$RUNS"); do
  for e in "${engines[@]}"; do ms d "$e" exec "bench-exec-$e" true >> "$work/exec.$e"; done
done
report "docker exec true" ms "$work/exec.ours" "$work/exec.ref"

echo "== 3. 50 x run -d from 8 clients, list 50 running and 200 in all, remove all"
for e in "${engines[@]}"; do
  s=$(date +%s%N)
  seq 50 | xargs -P 8 -I{} env DOCKER_HOST="$(host "$e")" docker run -d --label sdc-bench=1 "$IMG" sleep 300 > /dev/null
  t=$(date +%s%N)
  awk -v n=50 -v ns=$(( t - s )) 'BEGIN {printf "%.1f\n", n / (ns / 1e9)}' > "$work/tput.$e"
  python3 "$here/http-timer.py" "$(host "$e")" 100 GET /containers/json 100 >> "$work/list50.$e"
  python3 "$here/http-timer.py" "$(host "$e")" 100 GET /_ping 100 >> "$work/ping.$e"
  if [ "$e" = ours ] && [ -n "$OURS_UNIX" ]; then
    python3 "$here/http-timer.py" "$OURS_UNIX" 100 GET /_ping 100 >> "$work/pingunix.ours"
  fi
  seq 150 | xargs -P 8 -I{} env DOCKER_HOST="$(host "$e")" docker run -d --label sdc-bench=1 "$IMG" true > /dev/null
  sleep 2
  python3 "$here/http-timer.py" "$(host "$e")" 100 GET '/containers/json?all=1' 100 >> "$work/list200.$e"
done
report "create+start with 8 clients" "ctr/s" "$work/tput.ours" "$work/tput.ref"
report "GET /_ping (kept-alive, warm)" ms "$work/ping.ours" "$work/ping.ref"
[ -s "$work/pingunix.ours" ] && report "GET /_ping, ours over its unix socket" ms "$work/pingunix.ours" "$work/ping.ref"
report "GET /containers/json, 50 running (warm)" ms "$work/list50.ours" "$work/list50.ref"
report "GET /containers/json?all=1, 200 (warm)" ms "$work/list200.ours" "$work/list200.ref"

echo "== 4. memory (RSS and PSS in MiB) with 50 running containers"
ourpids=$(pgrep -f org.sdcdocker.launcher.Main | tr '\n' ' ')
conmons=$(pgrep -x conmon | tr '\n' ' '); nconmon=$(echo $conmons | wc -w)
echo "ours: JVM RSS $(( $(kib Rss "$ourpids") / 1024 )) PSS $(( $(kib Pss "$ourpids") / 1024 )); per running container (conmon) RSS $(( $(kib Rss "$conmons") / ${nconmon:-1} / 1024 )).$(( $(kib Rss "$conmons") / ${nconmon:-1} % 1024 * 10 / 1024 )) over $nconmon"
standbys=$(pgrep -f "zone-enter --standby" | tr '\n' ' '); nstandby=$(echo $standbys | wc -w)
[ "$nstandby" -gt 0 ] && echo "ours: exec standbys (zone-enter, one per container that had an exec): $nstandby, RSS $(( $(kib Rss "$standbys") / nstandby )) KiB PSS $(( $(kib Pss "$standbys") / nstandby )) KiB each"
if [ -n "$REF" ]; then
  refd=$(pgrep -x dockerd | tr '\n' ' ') refc=$(pgrep -x containerd | tr '\n' ' ')
  shims=$(pgrep -f containerd-shim | tr '\n' ' '); nshim=$(echo $shims | wc -w)
  echo "ref:  dockerd+containerd RSS $(( $(kib Rss "$refd $refc") / 1024 )) PSS $(( $(kib Pss "$refd $refc") / 1024 )); per running container (shim) RSS $(( $(kib Rss "$shims") / ${nshim:-1} / 1024 )) over $nshim"
fi
for e in "${engines[@]}"; do
  ms sh -c "ids=\$(DOCKER_HOST=$(host "$e") docker ps -aq --filter label=sdc-bench=1); DOCKER_HOST=$(host "$e") docker rm -f \$ids" >> "$work/rmall.$e"
done
report "remove 200 containers (one rm -f)" ms "$work/rmall.ours" "$work/rmall.ref"

echo "== 5. logs: 1,000,000 lines of 100 bytes"
line=$(printf '%099d' 0)
for e in "${engines[@]}"; do
  s=$(date +%s%N)
  id=$(d "$e" run -d --label sdc-bench=1 "$IMG" sh -c "yes $line | head -n 1000000")
  d "$e" wait "$id" > /dev/null
  t=$(date +%s%N)
  echo $(( (t - s) / 1000000 )) > "$work/logw.$e"
  for i in 1 2 3; do
    s=$(date +%s%N); bytes=$(d "$e" logs "$id" 2>&1 | wc -c); t=$(date +%s%N)
    awk -v b="$bytes" -v ns=$(( t - s )) 'BEGIN {printf "%.1f\n", b / 1e6 / (ns / 1e9)}' >> "$work/logr.$e"
    [ "$bytes" = 100000000 ] || echo "$e: docker logs gave $bytes bytes, not 100000000"
  done
  for i in 1 2 3; do # the same through raw HTTP: the server's throughput without the CLI's demultiplexing
    h=$(host "$e"); sock=(); url="http://${h#tcp://}/containers/$id/logs?stdout=1&stderr=1"
    case "$h" in unix://*) sock=(--unix-socket "${h#unix://}"); url="http://localhost/containers/$id/logs?stdout=1&stderr=1" ;; esac
    curl -s "${sock[@]}" -o /dev/null -w '%{size_download} %{time_total}\n' "$url" \
      | awk '{printf "%.1f\n", $1 / 1e6 / $2}' >> "$work/logh.$e"
  done
  for i in 1 2 3; do
    bytes=$(d "$e" run --rm --label sdc-bench=1 "$IMG" sh -c "yes $line | head -n 1000000" | wc -c)
    [ "$bytes" = 100000000 ] && echo 1 >> "$work/att.$e" || { echo 0 >> "$work/att.$e"; echo "$e: attached run gave $bytes bytes"; }
  done
done
report "write 1M lines (run -d .. wait)" ms "$work/logw.ours" "$work/logw.ref"
report "docker logs of 100 MB" "MB/s" "$work/logr.ours" "$work/logr.ref"
report "GET .../logs of 100 MB (raw HTTP)" "MB/s" "$work/logh.ours" "$work/logh.ref"
for e in "${engines[@]}"; do echo "$e: attached runs with every byte: $(paste -sd+ "$work/att.$e" | bc)/3"; done

echo "== 6. pull: a 3-layer image of about 51 MB gzip (first pull, then after rmi), a one-layer tiny image after rmi"
for e in "${engines[@]}"; do ms d "$e" pull "$BIG" > "$work/pull1.$e"; done
report "first pull 3 x 17 MB layers" ms "$work/pull1.ours" "$work/pull1.ref"
for i in $(seq "$RUNS"); do
  for e in "${engines[@]}"; do d "$e" rmi "$BIG" > /dev/null; ms d "$e" pull "$BIG" >> "$work/pull.$e"; done
done
report "pull 3 x 17 MB layers after rmi" ms "$work/pull.ours" "$work/pull.ref"
for i in $(seq "$RUNS"); do
  for e in "${engines[@]}"; do d "$e" rmi "$TINY" > /dev/null 2>&1; ms d "$e" pull "$TINY" >> "$work/tiny.$e"; done
done
report "pull one tiny layer after rmi" ms "$work/tiny.ours" "$work/tiny.ref"
for e in "${engines[@]}"; do d "$e" rmi "$BIG" "$TINY" > /dev/null 2>&1; done
