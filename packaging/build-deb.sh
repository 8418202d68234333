#!/usr/bin/env bash
# Builds the Debian package from the build's outputs (launcher/target/lib, dockerinit/target):
#   packaging/build-deb.sh VERSION OUTDIR   ->  OUTDIR/sdc-docker_VERSION_amd64.deb
# Layout: /usr/bin/sdc-docker, /usr/sbin/sdc-dockeradm, /usr/lib/sdc-docker/{lib,libexec},
# /etc/sdc-docker/{serve,frontend,agent}.json (every flag, printed by the commands themselves),
# /etc/default/sdc-docker, /lib/systemd/system/sdc-docker{,-agent}.service.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
version=${1:?version}
out=${2:?outdir}
version=${version/-SNAPSHOT/\~snapshot}
lib="$repo/launcher/target/lib"
jar="$repo/launcher/target/launcher-${1}.jar"
init="$repo/dockerinit/target"
for f in "$jar" "$init/dockerinit" "$init/zone-enter" "$init/stdin-relay" "$init/root-untar"; do
  [ -f "$f" ] || { echo "build-deb: $f is missing (build the project first)" >&2; exit 1; }
done
root="$out/deb-root"
rm -rf "$root"
install -d "$root/DEBIAN" "$root/usr/bin" "$root/usr/sbin" "$root/usr/lib/sdc-docker/lib" \
  "$root/usr/lib/sdc-docker/libexec" "$root/etc/sdc-docker" "$root/etc/default" \
  "$root/lib/systemd/system" "$root/usr/share/doc/sdc-docker"
install -m 0755 "$repo/bin/sdc-docker" "$root/usr/bin/sdc-docker"
install -m 0755 "$repo/bin/sdc-dockeradm" "$root/usr/sbin/sdc-dockeradm"
install -m 0644 "$jar" "$root/usr/lib/sdc-docker/lib/"
install -m 0644 "$lib"/*.jar "$root/usr/lib/sdc-docker/lib/"
for h in dockerinit zone-enter stdin-relay root-untar; do
  install -m 0755 "$init/$h" "$root/usr/lib/sdc-docker/libexec/$h"
done
install -m 0644 "$here/systemd/sdc-docker.service" "$here/systemd/sdc-docker-agent.service" \
  "$root/lib/systemd/system/"
install -m 0644 "$here/default/sdc-docker" "$root/etc/default/sdc-docker"
install -m 0644 "$repo/README.md" "$repo/docs/divergence.md" "$root/usr/share/doc/sdc-docker/"

# The config files: every flag of each command, as the command itself prints it, with what one
# machine needs to run out of the box (loopback, the certificates postinst makes)
main=(java -cp "$jar:$lib/*" org.sdcdocker.launcher.Main)
libexec=/usr/lib/sdc-docker/libexec
pki=/etc/sdc-docker/pki
tls=(--cluster-cert "$pki/member.pem" --cluster-key "$pki/member-key.pem" --cluster-ca "$pki/ca.pem")
"${main[@]}" serve --print-config --dockerinit "$libexec/dockerinit" \
  -H unix:///var/run/sdc-docker.sock > "$root/etc/sdc-docker/serve.json"
"${main[@]}" frontend --print-config -H unix:///var/run/sdc-docker.sock \
  --cluster-host 127.0.0.1 --cluster-port 5701 "${tls[@]}" > "$root/etc/sdc-docker/frontend.json"
"${main[@]}" agent --print-config --dockerinit "$libexec/dockerinit" --cluster-host 127.0.0.1 \
  --cluster-port 5711 --cluster-member 127.0.0.1:5701 "${tls[@]}" > "$root/etc/sdc-docker/agent.json"

size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@SIZE@/$size/" "$here/debian/control" > "$root/DEBIAN/control"
install -m 0644 "$here/debian/conffiles" "$root/DEBIAN/conffiles"
for s in postinst prerm postrm; do install -m 0755 "$here/debian/$s" "$root/DEBIAN/$s"; done
mkdir -p "$out"
deb="$out/sdc-docker_${version}_amd64.deb"
dpkg-deb --root-owner-group -Zgzip --build "$root" "$deb" > /dev/null
rm -rf "$root"
echo "build-deb: $deb"
