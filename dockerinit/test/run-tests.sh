#!/usr/bin/env bash
# Runs the real dockerinit binary chrooted into small busybox rootfs trees and
# checks its exit codes, its stderr, what the command saw, and its log file.
set -u
bin=$(readlink -f "$1")
busybox=$(command -v busybox || true)
if [ "$(id -u)" != 0 ] || [ -z "$busybox" ] || ! ldd "$busybox" 2>&1 | grep -q 'not a dynamic'; then
  echo "dockerinit tests need root and a static busybox (Debian busybox-static)" >&2
  exit 1
fi
UNSHARE=$(command -v unshare) CHROOT=$(command -v chroot)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0

mkroot() { # $1 dir
  mkdir -p "$1/bin" "$1/etc" "$1/native/usr/vm/sbin" "$1/native/.zonecontrol" "$1/home/app"
  cp "$busybox" "$1/bin/busybox"
  for c in sh echo id pwd env cat true; do ln -s busybox "$1/bin/$c"; done
  cp "$bin" "$1/native/usr/vm/sbin/dockerinit"
  printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n' > "$1/etc/passwd"
  printf 'root:x:0:\napp:x:1000:\nstaff:x:50:app\n' > "$1/etc/group"
  printf 'not executable\n' > "$1/bin/noexec"; chmod 644 "$1/bin/noexec"
}

# run NAME EXPECTED_CODE EXPECTED_OUTPUT_REGEX METADATA...
run() {
  local name=$1 want=$2 pat=$3; shift 3
  local root="$work/$name"
  mkroot "$root"
  printf '%s\n' "$@" > "$root/native/.zonecontrol/metadata"
  local out code
  # A new pid namespace, as runc gives: the command must end up as PID 1.
  out=$(env -i "$UNSHARE" --pid --fork "$CHROOT" "$root" /native/usr/vm/sbin/dockerinit 2>&1); code=$?
  if [ "$code" = "$want" ] && { [ -z "$pat" ] || { [ "$pat" = '^$' ] && [ -z "$out" ]; } || printf '%s\n' "$out" | grep -Eq -- "$pat"; }; then
    pass=$((pass+1))
  else
    fail=$((fail+1)); echo "FAIL $name: code $code (want $want), output: $out"; cat "$root/var/log/sdc-dockerinit.log"
  fi
  LAST_ROOT=$root
}

run echo 0 '^hi$' 'docker:cmd=["echo","hi"]'
run exit3 3 '^$' 'docker:cmd=["sh","-c","exit 3"]'
run entrypoint 0 '^a b$' 'docker:entrypoint=["echo","a"]' 'docker:cmd=["b"]'
run notfound 127 '^$' 'docker:cmd=["nosuch"]'
grep -q 'FATAL (code: 127): exec: "nosuch": executable file not found in \$PATH' "$LAST_ROOT/var/log/sdc-dockerinit.log" \
  && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL notfound log"; }
run notfound-path 127 '^$' 'docker:cmd=["/bin/nosuch"]'
grep -q 'no such file or directory' "$LAST_ROOT/var/log/sdc-dockerinit.log" && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL notfound-path log"; }
run noexec 126 '^$' 'docker:cmd=["/bin/noexec"]'
grep -q 'permission denied' "$LAST_ROOT/var/log/sdc-dockerinit.log" && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL noexec log"; }
run user-name 0 '^uid=1000\(app\) gid=1000\(app\) groups=.*50\(staff\)' 'docker:user="app"' 'docker:cmd=["id"]'
run user-ids 0 '^uid=1000\(app\) gid=50\(staff\)' 'docker:user="1000:50"' 'docker:cmd=["id"]'
run user-unknown 16 '^$' 'docker:user="nobody2"' 'docker:cmd=["id"]'
grep -q 'FATAL (code: 16): unable to find user nobody2: no matching entries in passwd file' "$LAST_ROOT/var/log/sdc-dockerinit.log" \
  && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL user-unknown log"; }
run workdir 0 '^/srv/new/dir$' 'docker:workdir="/srv/new/dir"' 'docker:cmd=["pwd"]'
run env 0 'FOO=b"ar x' 'docker:env=["FOO=b\"ar x","PATH=/bin"]' 'docker:cmd=["sh","-c","echo FOO=$FOO; echo $PATH"]'
run home 0 '^/home/app /bin$' 'docker:user="app"' 'docker:env=["PATH=/bin"]' 'docker:cmd=["sh","-c","echo $HOME $PATH"]'
run default-path 0 '^/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin$' 'docker:cmd=["sh","-c","echo $PATH"]'
run hostname-tty 0 '^box xterm$' 'sdc:hostname="box"' 'docker:tty="true"' 'docker:cmd=["sh","-c","echo $HOSTNAME $TERM"]'
run pid1 0 '^1$' 'docker:cmd=["sh","-c","echo $$"]'
run nocmd 13 '^$' 'docker:env=["A=1"]'

# The log: timestamps, steps, env names without values.
run logged 0 '' 'docker:env=["SECRET=hunter2"]' 'docker:cmd=["true"]'
log="$LAST_ROOT/var/log/sdc-dockerinit.log"
if grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z EXECNAME "/usr/local/sbin/true"|EXECNAME "/bin/true"' "$log" \
   && grep -q 'ENV\[[0-9]*\] SECRET$' "$log" && ! grep -q hunter2 "$log" && grep -q 'ARGV\[0\]:CMD "true"' "$log"; then
  pass=$((pass+1))
else
  fail=$((fail+1)); echo "FAIL log content:"; cat "$log"
fi
run fatal-log 127 '' 'docker:cmd=["nosuch"]'
if grep -Eq 'FATAL \(code: 127\): exec: "nosuch"' "$LAST_ROOT/var/log/sdc-dockerinit.log"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL fatal line"; fi

# --init: dockerinit stays PID 1, the command is its child; zombies reaped, status passed on.
run init 7 '^1 [0-9]+$' 'docker:init="true"' 'docker:cmd=["sh","-c","echo $PPID $$; exit 7"]'
run init-signal 143 '' 'docker:init="true"' 'docker:cmd=["sh","-c","kill -TERM $$; sleep 5"]'
run groupadd 0 'groups=.*1000\(app\).*' 'docker:groupadd=["app"]' 'docker:cmd=["id"]'

# Exec mode: instructions from another file, no log file written, the command's own exit code.
root="$work/exec"; mkroot "$root"
printf '%s\n' 'docker:cmd=["sh","-c","id -u; pwd; echo $X; exit 4"]' 'docker:user="app"' 'docker:workdir="/tmp"' \
  'docker:env=["X=from-exec"]' > "$root/native/.zonecontrol/exec-1"
out=$(env -i "$CHROOT" "$root" /native/usr/vm/sbin/dockerinit --exec /native/.zonecontrol/exec-1 2>&1); code=$?
if [ "$code" = 4 ] && [ "$out" = "$(printf '1000\n/tmp\nfrom-exec')" ] && [ ! -e "$root/var/log/sdc-dockerinit.log" ]; then
  pass=$((pass+1))
else
  fail=$((fail+1)); echo "FAIL exec mode: code $code, output: $out"
fi
printf '%s\n' 'docker:cmd=["nosuch"]' > "$root/native/.zonecontrol/exec-2"
out=$(env -i "$CHROOT" "$root" /native/usr/vm/sbin/dockerinit --exec /native/.zonecontrol/exec-2 2>&1); code=$?
if [ "$code" = 127 ] && printf '%s' "$out" | grep -q 'executable file not found'; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL exec nosuch: $code $out"; fi

echo "dockerinit: $pass passed, $fail failed"
[ "$fail" = 0 ]
