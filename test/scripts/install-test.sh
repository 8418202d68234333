#!/usr/bin/env bash
# Installs the Debian package in a clean root and runs what it installed, as an operator would:
#   test/scripts/install-test.sh PACKAGE.deb WORKDIR [units]
# (with "units": only the install, the files and systemd-analyze verify of the units)
# The root is this machine's own file system seen through an overlay whose upper layer is a tmpfs
# (so the package's dependencies are those installed here, and nothing it writes reaches the
# host), with /proc, /sys and /dev bound in and a tmpfs for /var/lib/sdc-docker (the agent's
# overlays need a real upper file system). A front end and an agent start from /usr/bin/sdc-docker
# with /etc/sdc-docker/{frontend,agent}.json as installed, in a network namespace of their own, and
# must say READY=1 on their NOTIFY_SOCKET as systemd's Type=notify expects; the docker CLI runs a
# container through the front end, sdc-dockeradm lists the node; SIGTERM stops both (STOPPING=1).
# Everything is removed at the end, whatever happened. Prints "install-test: ok" on success.
set -euo pipefail
deb=$(readlink -f "${1:?package}")
work=${2:?workdir}
only=${3:-}
ns=sdcinst$$
root="$work/root"
layers="$work/layers"
pids=()

step() { echo "install-test: $*"; }
fail() {
  echo "install-test: FAILED: $*" >&2
  exit 1
}

cleanup() {
  set +e
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  wait 2>/dev/null
  # conmon and its containers, should any remain: they run with the chroot as their root
  for p in $(pgrep -x conmon); do
    [ "$(readlink "/proc/$p/root")" = "$root" ] && kill -9 "$p"
  done
  sleep 0.5
  for m in $(awk -v r="$root" '$2 == r || index($2, r "/") == 1 {print $2}' /proc/self/mounts | sort -r); do
    umount -l "$m" 2>/dev/null
  done
  ip netns del "$ns" 2>/dev/null
  umount -l "$layers" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$root" "$layers"
mount -t tmpfs -o size=2g tmpfs "$layers"
mkdir "$layers/upper" "$layers/work" "$layers/data"
mount -t overlay overlay -o "lowerdir=/,upperdir=$layers/upper,workdir=$layers/work" "$root"
for d in proc sys dev; do
  mount --rbind "/$d" "$root/$d"
  mount --make-rslave "$root/$d"
done
mkdir -p "$root/var/lib/sdc-docker"
mount --bind "$layers/data" "$root/var/lib/sdc-docker"
mount -t tmpfs tmpfs "$root/run"
mkdir -p "$root/run/lock"
mount -t tmpfs tmpfs "$root/tmp"

step "dpkg -i $(basename "$deb")"
cp "$deb" "$root/tmp/sdc-docker.deb"
chroot "$root" dpkg -i /tmp/sdc-docker.deb
chroot "$root" dpkg -s sdc-docker | grep '^Status: install ok installed' > /dev/null || fail "not installed"

step "the files"
for f in /usr/bin/sdc-docker /usr/sbin/sdc-dockeradm /usr/lib/sdc-docker/libexec/dockerinit \
  /usr/lib/sdc-docker/libexec/zone-enter /usr/lib/sdc-docker/libexec/stdin-relay \
  /usr/lib/sdc-docker/libexec/root-untar; do
  [ -x "$root$f" ] || fail "$f is not installed executable"
done
for f in /etc/sdc-docker/serve.json /etc/sdc-docker/frontend.json /etc/sdc-docker/agent.json \
  /etc/default/sdc-docker /lib/systemd/system/sdc-docker.service \
  /lib/systemd/system/sdc-docker-agent.service /etc/sdc-docker/pki/ca.pem \
  /etc/sdc-docker/pki/member.pem /etc/sdc-docker/pki/member-key.pem; do
  [ -f "$root$f" ] || fail "$f is not installed"
done
[ "$(stat -c %a "$root/etc/sdc-docker/pki/member-key.pem")" = 600 ] || fail "the member key is not 0600"
ls "$root"/usr/lib/sdc-docker/lib/launcher-*.jar > /dev/null || fail "no launcher jar"
chroot "$root" dpkg -L sdc-docker | grep -x /usr/bin/sdc-docker > /dev/null || fail "dpkg -L lacks /usr/bin/sdc-docker"
grep -qx /etc/sdc-docker/agent.json "$root/var/lib/dpkg/info/sdc-docker.conffiles" \
  || fail "agent.json is not a conffile"

step "each role reads its installed config (every flag, none unknown)"
for role in serve frontend agent; do
  chroot "$root" /usr/bin/sdc-docker "$role" --config "/etc/sdc-docker/$role.json" --print-config \
    > "$work/$role.printed" || fail "sdc-docker $role refuses /etc/sdc-docker/$role.json"
  python3 - "$root/etc/sdc-docker/$role.json" "$work/$role.printed" <<'EOF' || fail "$role.json differs from what sdc-docker $role runs with"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
missing = sorted(set(b) - set(a))
if missing:
    sys.exit("the config file lacks the flags %s" % missing)
if a != b:
    sys.exit("%s != %s" % (a, b))
EOF
done

step "systemd-analyze verify of the units"
out=$(chroot "$root" systemd-analyze verify /lib/systemd/system/sdc-docker.service \
  /lib/systemd/system/sdc-docker-agent.service 2>&1) || fail "systemd-analyze verify: $out"
[ -z "$out" ] || fail "systemd-analyze verify complains: $out"
for u in sdc-docker sdc-docker-agent; do
  for want in Type=notify KillMode=process Delegate=yes Restart=on-failure; do
    grep -qx "$want" "$root/lib/systemd/system/$u.service" || fail "$u.service lacks $want"
  done
done

if [ "$only" = units ]; then
  step ok
  exit 0
fi

ip netns add "$ns"
ip -n "$ns" link set lo up

# NOTIFY_SOCKET: a datagram socket, as systemd's, whose messages go to a file
notify_listen() { # NAME
  python3 - "$root/run/$1.notify" "$work/$1.notified" <<'EOF' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(600)
with open(sys.argv[2], "a") as out:
    while True:
        try:
            m = s.recv(4096)
        except socket.timeout:
            break
        out.write(m.decode() + "\n--\n")
        out.flush()
EOF
  pids+=($!)
  for _ in $(seq 50); do [ -S "$root/run/$1.notify" ] && return 0; sleep 0.1; done
  fail "no notify socket for $1"
}
await_ready() { # NAME PID
  for _ in $(seq 1800); do # 180 s
    grep -q '^READY=1' "$work/$1.notified" 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { cat "$work/$1.log" >&2; fail "$1 exited before it was ready"; }
    sleep 0.1
  done
  cat "$work/$1.log" >&2
  fail "$1 not ready after 180 s"
}

# starts ROLE as systemd's unit would (its installed command and config, NOTIFY_SOCKET set) and
# waits until it says READY=1; its pid in $started
start_role() { # ROLE
  step "the $1, from /usr/bin/sdc-docker with /etc/sdc-docker/$1.json"
  notify_listen "$1"
  nsenter --net="/run/netns/$ns" chroot "$root" env "NOTIFY_SOCKET=/run/$1.notify" \
    /usr/bin/sdc-docker "$1" --config "/etc/sdc-docker/$1.json" > "$work/$1.log" 2>&1 &
  started=$!
  pids+=($started)
  await_ready "$1" $started
}

start_role frontend
fe=$started
[ -S "$root/run/sdc-docker.sock" ] || fail "ready, but no /var/run/sdc-docker.sock"
start_role agent
agent=$started

export DOCKER_HOST="unix://$root/run/sdc-docker.sock"
step "docker run through the installed front end and agent"
for _ in $(seq 100); do
  docker info 2>/dev/null | grep 'Compute nodes: 1' > /dev/null && break
  sleep 0.1
done
docker info 2>/dev/null | grep 'Compute nodes: 1' > /dev/null || fail "docker info does not list the node"
rootfs="$work/rootfs"
mkdir -p "$rootfs/bin"
cp "$(command -v busybox)" "$rootfs/bin/busybox"
ln -s busybox "$rootfs/bin/sh"
ln -s busybox "$rootfs/bin/echo"
tar -C "$rootfs" -cf "$work/rootfs.tar" .
docker import "$work/rootfs.tar" installed/busybox:1 > /dev/null
said=$(docker run --rm installed/busybox:1 echo hello from the installed agent)
[ "$said" = "hello from the installed agent" ] || fail "docker run said: $said"

step "sdc-dockeradm, installed, over the front end's admin socket"
nodes=$(chroot "$root" /usr/sbin/sdc-dockeradm node ls --json)
python3 -c 'import json,sys; n=json.loads(sys.argv[1]); assert len(n)==1 and n[0]["State"]=="running", n' "$nodes" \
  || fail "sdc-dockeradm node ls: $nodes"

step "SIGTERM: both stop, saying STOPPING=1"
kill -TERM $agent $fe
for _ in $(seq 600); do
  kill -0 $agent 2>/dev/null || kill -0 $fe 2>/dev/null || break
  sleep 0.1
done
kill -0 $agent 2>/dev/null && fail "the agent did not stop within 60 s of SIGTERM"
kill -0 $fe 2>/dev/null && fail "the front end did not stop within 60 s of SIGTERM"
grep -q '^STOPPING=1' "$work/agent.notified" || fail "the agent did not say STOPPING=1"

step "dpkg -r"
chroot "$root" dpkg -r sdc-docker > /dev/null
[ ! -e "$root/usr/bin/sdc-docker" ] || fail "/usr/bin/sdc-docker stays after dpkg -r"
[ -f "$root/etc/sdc-docker/agent.json" ] || fail "a conffile went with dpkg -r (only purge removes them)"
step ok
