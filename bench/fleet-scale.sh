#!/usr/bin/env bash
# The fleet at scale on this one machine (bin/fleet-demo: two front ends, three agents, each agent
# in a network namespace of its own): N running containers (sleep) spread over the three agents,
# and what that costs.
#
#   bench/fleet-scale.sh [--containers 1000] [--runs 20] [--restarts 3] [--parallel 8] [--dir /tmp/sdc-fleet-scale]
#
# Reports: create latency through one front end and alternating over two, against `serve`'s on the
# same machine (an embedded server the script starts on a data root of its own); after the fill,
# `docker ps` (the CLI) and GET /containers/json?all=1 (raw HTTP, the server's time) through each
# front end; each process's RSS and conmon's per container; the time an agent holding a third of
# the containers takes, after kill -9 and a restart, until both front ends list all of them
# running (--restarts times, each reported, and their median: one restart on two shared cores
# says little). Needs root. Removes every container, process, namespace and bridge it made. Every loop
# is bounded by a count.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
N=1000
RUNS=20
RESTARTS=3
PAR=8
DIR=/tmp/sdc-fleet-scale
while [ $# -gt 0 ]; do
  case "$1" in
    --containers) N=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --restarts) RESTARTS=$2; shift 2 ;;
    --parallel) PAR=$2; shift 2 ;;
    --dir) DIR=$2; shift 2 ;;
    *) echo "usage: $0 [--containers N] [--runs N] [--restarts N] [--parallel P] [--dir DIR]" >&2; exit 2 ;;
  esac
done
FE1=tcp://127.0.0.1:2391
FE2=tcp://127.0.0.1:2392
SERVE=tcp://127.0.0.1:2399
work=$(mktemp -d)
servepid=""

cleanup() {
  if [ -n "$servepid" ]; then
    ids=$(DOCKER_HOST=$SERVE docker ps -aq 2>/dev/null)
    [ -n "$ids" ] && DOCKER_HOST=$SERVE docker rm -f $ids > /dev/null 2>&1
    kill "$servepid" 2>/dev/null; wait "$servepid" 2>/dev/null
    rm -rf "$work/serve"
  fi
  if [ -d "$DIR" ]; then
    ids=$(DOCKER_HOST=$FE1 docker ps -aq 2>/dev/null)
    [ -n "$ids" ] && echo "$ids" | xargs -r -n 50 -P 4 env DOCKER_HOST=$FE1 docker rm -f > /dev/null 2>&1
    "$repo/bin/fleet-demo" stop "$DIR" > /dev/null 2>&1
    rm -rf "$DIR"
  fi
  rm -rf "$work"
}
trap cleanup EXIT

stats() { sort -n | awk '{a[NR]=$1} END {m = NR % 2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2; printf "%s ms (%s-%s, %d runs)", m, a[1], a[NR], NR}'; }
rss() { awk '/VmRSS/ {printf "%d", $2 / 1024}' "/proc/$1/status" 2>/dev/null; }
# A rootfs of busybox, imported: the same image on the fleet and on serve.
mkdir -p "$work/rootfs/bin"
cp "$(command -v busybox)" "$work/rootfs/bin/busybox"
for c in sh sleep true; do ln -s busybox "$work/rootfs/bin/$c"; done
tar -C "$work/rootfs" -c . > "$work/rootfs.tar"

# create latency: POST /containers/create on one kept-alive connection per front end (the CLI's own
# start would hide the server's time); $1.. the hosts, used in turn
create_latency() {
  python3 - "$RUNS" "$@" <<'EOF'
import http.client, json, sys, time
runs, hosts = int(sys.argv[1]), sys.argv[2:]
conns = []
for h in hosts:
    host, port = h[len('tcp://'):].rsplit(':', 1)
    conns.append(http.client.HTTPConnection(host, int(port)))
body = json.dumps({'Image': 'scale:1', 'Cmd': ['true'], 'Labels': {'sdc-scale': '1'}})
made = []
for i in range(runs + 10):
    c = conns[i % len(conns)]
    s = time.perf_counter()
    c.request('POST', '/containers/create', body, {'Content-Type': 'application/json'})
    r = c.getresponse()
    out = r.read()
    ms = (time.perf_counter() - s) * 1000
    if r.status != 201:
        sys.exit('create answered %d: %s' % (r.status, out))
    made.append(json.loads(out)['Id'])
    if i >= 10:  # ten to warm up
        print('%.2f' % ms)
for i, cid in enumerate(made):
    c = conns[i % len(conns)]
    c.request('DELETE', '/containers/' + cid + '?force=1')
    c.getresponse().read()
EOF
}

echo "== serve (the embedded default), for scale"
mkdir -p "$work/serve"
setsid "$repo/bin/sdc-docker" serve --data-root "$work/serve" -H "$SERVE" > "$work/serve.log" 2>&1 < /dev/null &
servepid=$!
for i in $(seq 300); do DOCKER_HOST=$SERVE docker version > /dev/null 2>&1 && break; sleep 0.2; done
DOCKER_HOST=$SERVE docker import "$work/rootfs.tar" scale:1 > /dev/null
echo "create latency, serve:                 $(create_latency $SERVE | stats)"
kill "$servepid"; wait "$servepid" 2>/dev/null; servepid=""
rm -rf "$work/serve"

echo "== the fleet: two front ends, three agents"
rm -rf "$DIR"
s=$(date +%s%N)
"$repo/bin/fleet-demo" start "$DIR" > "$work/fleet.log" 2>&1 || { cat "$work/fleet.log"; exit 1; }
echo "formed in $(( ($(date +%s%N) - s) / 1000000 )) ms (processes started one after another)"
DOCKER_HOST=$FE1 docker import "$work/rootfs.tar" scale:1 > /dev/null
for i in $(seq 100); do DOCKER_HOST=$FE2 docker image inspect scale:1 > /dev/null 2>&1 && break; sleep 0.1; done
echo "create latency, one front end:         $(create_latency $FE1 | stats)"
echo "create latency, two front ends in turn: $(create_latency $FE1 $FE2 | stats)"
declare -A pidof
for r in fe1 fe2 cn1 cn2 cn3; do pidof[$r]=$(cat "$DIR/$r.pid"); done
echo "RSS idle (MiB): fe1 $(rss ${pidof[fe1]}) fe2 $(rss ${pidof[fe2]}) cn1 $(rss ${pidof[cn1]}) cn2 $(rss ${pidof[cn2]}) cn3 $(rss ${pidof[cn3]})"

echo "== $N running containers, $PAR clients at a time"
s=$(date +%s%N)
seq "$N" | xargs -P "$PAR" -I{} sh -c "DOCKER_HOST=\$([ \$(({} % 2)) = 0 ] && echo $FE1 || echo $FE2) docker run -d --label sdc-scale=1 scale:1 sleep 1000000 > /dev/null 2>> $work/fill.err"
took=$(( ($(date +%s%N) - s) / 1000000 ))
running=$(DOCKER_HOST=$FE1 docker ps -q | wc -l)
echo "$running running after $took ms ($(awk -v n="$running" -v t="$took" 'BEGIN {printf "%.1f", n * 1000 / t}') ctr/s); $(wc -l < "$work/fill.err") errors"
head -3 "$work/fill.err"
for h in $FE1 $FE2; do
  for i in $(seq "$RUNS"); do
    a=$(date +%s%N); DOCKER_HOST=$h docker ps > /dev/null; echo $(( ($(date +%s%N) - a) / 1000000 ))
  done > "$work/ps"
  echo "docker ps through $h: $(stats < "$work/ps")"
  python3 "$here/http-timer.py" "$h" "$RUNS" GET "/containers/json?all=1" 3 > "$work/list"
  echo "GET /containers/json?all=1 through $h: $(stats < "$work/list")"
done
conmons=$(pgrep -x conmon | wc -l)
conmon_kib=$(for p in $(pgrep -x conmon); do awk '/VmRSS/ {print $2}' /proc/$p/status; done | awk '{s+=$1} END {printf "%d", NR ? s / NR : 0}')
echo "RSS with $running containers (MiB): fe1 $(rss ${pidof[fe1]}) fe2 $(rss ${pidof[fe2]}) cn1 $(rss ${pidof[cn1]}) cn2 $(rss ${pidof[cn2]}) cn3 $(rss ${pidof[cn3]}); conmon $conmon_kib KiB each ($conmons of them)"

echo "== kill -9 of agent cn1 and its restart"
# bin/sdc-docker's class archive for agents (made a minute after an agent's first start)
for i in $(seq 120); do ls "$repo"/launcher/target/cds/agent-*.jsa > /dev/null 2>&1 && break; sleep 1; done
ls "$repo"/launcher/target/cds/agent-*.jsa > /dev/null 2>&1 || echo "(no class archive for agents: restarting without one)"
for r in $(seq "$RESTARTS"); do
  kill -9 "$(cat "$DIR/cn1.pid")"
  for i in $(seq 200); do DOCKER_HOST=$FE1 docker ps --format '{{.Status}}' | grep -q "Host Down" && break; sleep 0.1; done
  downs=$(DOCKER_HOST=$FE1 docker ps --format '{{.Status}}' | grep -c "Host Down")
  s=$(date +%s%N)
  # as fleet-demo started it: bin/sdc-docker agent, in its namespace (as systemd would restart it)
  "$repo/bin/fleet-demo" agent "$DIR" 1
  # each front end's list polled every 100 ms through the API (a docker CLI per poll, twice, would
  # keep these two cores busy and be most of what is measured); the CLI checks the end
  polled=$(python3 "$here/running-poll.py" "$running" 100 60 $FE1 $FE2) || polled="(not within 60 s)"
  back=$(( ($(date +%s%N) - s) / 1000000 ))
  cli1=$(DOCKER_HOST=$FE1 docker ps --format '{{.Status}}' | grep -c "^Up")
  cli2=$(DOCKER_HOST=$FE2 docker ps --format '{{.Status}}' | grep -c "^Up")
  echo "restart $r: $downs containers listed Host Down; all $running listed running through both front ends $back ms after the restart (polled: $polled ms); docker ps then: $cli1 / $cli2 Up"
  # the same as each front end logs it: when it has listed the node again (the later of the two
  # goes into the median)
  python3 - "$s" "$DIR/fe1.log" "$DIR/fe2.log" "$work/restarts" <<'EOF'
import datetime, json, sys
start = int(sys.argv[1]) / 1e9
said, last = [], 0
for log in sys.argv[2:4]:
    back = [json.loads(l) for l in open(log, errors='replace') if '"compute node' in l and ' is back: ' in l]
    if back:
        t = datetime.datetime.fromisoformat(back[-1]['time'][:26] + '+00:00').timestamp()
        last = max(last, (t - start) * 1000)
        said.append('%.0f ms (%s)' % ((t - start) * 1000, back[-1]['message'].split(': ', 1)[1].split(',')[0]))
print('  from the front ends\' logs: listed again ' + '; '.join(said) + ' after the restart')
if len(said) == 2:
    open(sys.argv[4], 'a').write('%.0f\n' % last)
EOF
  echo "  $(grep -a "joined the cluster" "$DIR/cn1.log" | tail -1 | sed 's/.*(data under [^)]*); //; s/"}$//')"
  sleep 5 # the front ends settle (the node's links, its first heartbeats) before the next kill
done
[ -s "$work/restarts" ] && echo "restart, until both front ends listed the node again (their logs): $(stats < "$work/restarts")"
echo "RSS of cn1 after re-adoption (MiB): $(rss "$(cat "$DIR/cn1.pid")")"
