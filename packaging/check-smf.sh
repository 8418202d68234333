#!/usr/bin/env bash
# Checks the agent's SMF manifest in the build, as far as can be without SmartOS's svccfg: well-
# formed XML (xmllint), and the elements and properties SMF needs of it: the service's FMRI, its
# default instance, start and stop methods with timeouts, the start method's script present and
# executable, a contract service that ignores its children's cores and signals, its dependencies
# and its stability. Then sh -n of the method script.
#   packaging/check-smf.sh packaging/smf
set -euo pipefail
dir=${1:?smf dir}
m="$dir/sdc-docker-agent.xml"
command -v xmllint >/dev/null || { echo "check-smf: xmllint is missing (apt-get install libxml2-utils)" >&2; exit 1; }
xmllint --noout "$m"
fail=0
expect() { # XPATH-EXPRESSION EXPECTED WHAT
  local got
  got=$(xmllint --xpath "$1" "$m" 2>/dev/null || true)
  if [ "$got" != "$2" ]; then
    echo "check-smf: $m: $3 (xpath $1 gave '$got', expected '$2')" >&2
    fail=1
  fi
}
expect 'string(/service_bundle/@type)' manifest "a manifest bundle"
expect 'string(/service_bundle/service/@name)' smartdc/agent/sdc-docker-agent "the service's name"
expect 'string(/service_bundle/service/@type)' service "a service"
expect 'string(/service_bundle/service/@version)' 1 "a version"
expect 'count(/service_bundle/service/create_default_instance[@enabled="true"])' 1 "an enabled default instance"
expect 'count(/service_bundle/service/exec_method[@type="method" and @name="start" and @timeout_seconds>0])' 1 "a start method with a timeout"
expect 'count(/service_bundle/service/exec_method[@type="method" and @name="stop" and @timeout_seconds>0])' 1 "a stop method with a timeout"
expect 'string(/service_bundle/service/exec_method[@name="stop"]/@exec)' :kill "stop kills the agent's contract"
expect 'string(/service_bundle/service/property_group[@name="startd" and @type="framework"]/propval[@name="duration"]/@value)' contract "a contract service"
expect 'string(/service_bundle/service/property_group[@name="startd" and @type="framework"]/propval[@name="ignore_error"]/@value)' core,signal "children's cores and signals ignored"
expect 'count(/service_bundle/service/dependency[@name="network"]/service_fmri)' 1 "a network dependency"
expect 'count(/service_bundle/service/dependency[@name="filesystem"]/service_fmri)' 1 "a filesystem dependency"
expect 'count(/service_bundle/service/stability[@value])' 1 "a stability"
expect 'count(/service_bundle/service/template/common_name/loctext[@xml:lang="C"])' 1 "a common name"
start=$(xmllint --xpath 'string(/service_bundle/service/exec_method[@name="start"]/@exec)' "$m")
script=${start%% *}
case "$script" in
/opt/smartdc/sdc-docker-agent/smf/method/*) ;;
*) echo "check-smf: the start method $script is not under /opt/smartdc/sdc-docker-agent/smf/method" >&2; fail=1 ;;
esac
local_script="$dir/method/${script##*/}"
if [ ! -x "$local_script" ]; then
  echo "check-smf: $local_script (the start method) is missing or not executable" >&2
  fail=1
else
  sh -n "$local_script" || fail=1
fi
[ $fail = 0 ] && echo "check-smf: $m is well formed and has what SMF needs"
exit $fail
