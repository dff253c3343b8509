#!/usr/bin/env bash
# The tutorials' scenario, end to end, through the real patchbay CLI, in network namespaces this script makes and
# removes: a "host" with a bridge network masquerading out of an uplink, containers red and blue attached, red
# publishing port 80 as 8080, and an "outside" namespace on the uplink playing the internet. Every claim is checked
# with real traffic (ping, HTTP). Never touches the namespace it runs in: each patchbay command runs with -n HOST.
#
#   examples/demo.sh                    # as root; PATCHBAY=/path/to/bin/patchbay to pick the CLI
#
# Exit 0 when every check passed, 1 when one failed, 2 when it cannot run here. Needs ip, ss, ping, timeout and busybox
# (its httpd serves red's port 80; the clients are bash's /dev/tcp).
set -uo pipefail

PB=${PATCHBAY:-$(command -v patchbay || echo "$(cd "$(dirname "$0")/.." && pwd)/launcher/target/patchbay/bin/patchbay")}
SUBNET=10.200.0.0/24
GATEWAY=10.200.0.1
UPLINK_HOST=198.51.100.1
UPLINK_OUTSIDE=198.51.100.2
BODY="hello from red"

fail_to_start() { echo "demo: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || fail_to_start "run it as root: it creates network namespaces"
[ -x "$PB" ] || fail_to_start "no patchbay CLI at $PB (build with mvn package, or set PATCHBAY)"
for tool in ip ss ping timeout busybox; do
  command -v "$tool" >/dev/null || fail_to_start "it needs $tool"
done

P=pbdemo$(( $$ % 100000 ))-
HOST=${P}host RED=${P}red BLUE=${P}blue OUTSIDE=${P}outside
WORK=$(mktemp -d /tmp/patchbay-demo-XXXXXX)
# the demo's own records and no daemon: each command runs in its own JVM, and nothing stays running behind it
export PATCHBAY_STATE_DIR=$WORK/state PATCHBAY_RUN_DIR=$WORK/run PATCHBAY_DAEMON=off PATCHBAY_DAEMON_AUTOSTART=off
mkdir -m 700 "$WORK/run" "$WORK/www"
printf '%s\n' "$BODY" > "$WORK/www/index.html"

MADE=()        # namespaces made, in order
NETWORK=""     # set once the network exists
SERVICE=""     # set once the service exists
SERVER=""      # the HTTP server's pid
FAILED=0

say() { printf '%s\n' "$*"; }
pb() { "$PB" -n "$HOST" "$@"; }
# `pb` shown as the user types it, then run; its output indented
step() { say "   \$ patchbay -n $HOST $*"; pb "$@" 2>&1 | sed 's/^/     /'; return "${PIPESTATUS[0]}"; }
check() {
  local what=$1; shift
  if "$@" >/dev/null 2>&1; then say "   ok     $what"; else say "   FAILED $what"; FAILED=$((FAILED + 1)); fi
}
ping_from() { ip netns exec "$1" ping -c 1 -W 2 "$2"; }
# GET / from namespace $1 to $2:$3 over bash's /dev/tcp (within 3 s); true when the body is red's
get_from() {
  local reply
  reply=$(ip netns exec "$1" timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/$1" && printf "GET / HTTP/1.0\r\nHost: %s\r\n\r\n" "$0" >&3 && cat <&3' "$2" "$3" | tr -d '\r')
  [[ $reply == "HTTP/1."?" 200"* ]] && [ "$(sed '1,/^$/d' <<<"$reply")" = "$BODY" ]
}
addr_of() { ip -n "$1" -4 -o addr show dev eth0 | awk '{ split($4, a, "/"); print a[1]; exit }'; }

cleanup() {
  local status=$? errors=0
  say "7. clean up"
  if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; fi
  if [ -n "$SERVICE" ]; then
    pb service rm "$SERVICE" >/dev/null 2>&1 || { say "   cleanup error: service rm $SERVICE"; errors=1; }
  fi
  if [ -n "$NETWORK" ]; then
    for c in "$RED" "$BLUE"; do
      pb detach demo --netns "$c" >/dev/null 2>&1 || { say "   cleanup error: detach $c"; errors=1; }
    done
    pb network rm demo >/dev/null 2>&1 || { say "   cleanup error: network rm demo"; errors=1; }
  fi
  for (( i=${#MADE[@]}-1; i>=0; i-- )); do
    ip netns del "${MADE[$i]}" 2>/dev/null || { say "   cleanup error: delete namespace ${MADE[$i]}"; errors=1; }
  done
  rm -rf "$WORK"
  if [ "$errors" = 0 ] && ! ip netns list | grep -q "^$P"; then
    say "   removed every namespace, link, rule and record the demo made"
  else
    say "   cleanup incomplete"
  fi
  if [ "$status" = 0 ] && [ "$FAILED" = 0 ] && [ "$errors" = 0 ]; then
    say "demo: every check passed"
    exit 0
  fi
  [ "$status" = 0 ] || say "demo: a step failed (see above)"
  [ "$FAILED" = 0 ] || say "demo: $FAILED check(s) failed"
  exit 1
}
trap cleanup EXIT
trap 'exit 1' INT TERM

say "1. namespaces: $HOST (the host), $RED, $BLUE (containers), $OUTSIDE (the internet)"
for ns in "$HOST" "$RED" "$BLUE" "$OUTSIDE"; do
  ip netns add "$ns" || exit 1
  MADE+=("$ns")
done

say "2. uplink: host uplink0 $UPLINK_HOST/24 <-> outside eth0 $UPLINK_OUTSIDE/24 (no route back to the containers)"
ip -n "$HOST" link set lo up &&
  ip -n "$HOST" link add uplink0 type veth peer name eth0 netns "$OUTSIDE" &&
  ip -n "$HOST" addr add "$UPLINK_HOST/24" dev uplink0 &&
  ip -n "$HOST" link set uplink0 up &&
  ip -n "$OUTSIDE" addr add "$UPLINK_OUTSIDE/24" dev eth0 &&
  ip -n "$OUTSIDE" link set eth0 up &&
  ip -n "$OUTSIDE" link set lo up || exit 1

say "3. a bridge network that masquerades out of the uplink"
NETWORK=demo
step network create demo --subnet "$SUBNET" --bridge pbdemo0 --masquerade --uplink uplink0 || { NETWORK=""; exit 1; }

say "4. containers: red publishes its port 80 as the host's 8080; blue"
step attach demo --netns "$RED" --publish 8080:80/tcp || exit 1
step attach demo --netns "$BLUE" || exit 1
RED_IP=$(addr_of "$RED")
BLUE_IP=$(addr_of "$BLUE")
say "   red $RED_IP, blue $BLUE_IP, gateway $GATEWAY"
say "   a load-balanced service (seed 004 §5): a virtual IP of the network whose port 80 goes to red"
SERVICE=web
step service create web --network demo --port 80/tcp --backend "$RED:80" || { SERVICE=""; exit 1; }
VIP=$(pb -o json service inspect web | sed -n 's/.*"vip": *"\([0-9.]*\)".*/\1/p')

say "5. checks with real traffic (an HTTP server listens on red:80)"
ip netns exec "$RED" busybox httpd -f -p 80 -h "$WORK/www" &
SERVER=$!
for _ in $(seq 50); do # until it listens (at most ~5 s)
  [ -n "$(ip netns exec "$RED" ss -Hltn 'sport = :80')" ] && break
  sleep 0.1
done
check "red -> blue (ping $BLUE_IP)" ping_from "$RED" "$BLUE_IP"
check "blue -> red (ping $RED_IP)" ping_from "$BLUE" "$RED_IP"
check "red -> host gateway (ping $GATEWAY)" ping_from "$RED" "$GATEWAY"
check "red -> outside through masquerade (ping $UPLINK_OUTSIDE)" ping_from "$RED" "$UPLINK_OUTSIDE"
check "outside -> published port (GET http://$UPLINK_HOST:8080/)" get_from "$OUTSIDE" "$UPLINK_HOST" 8080
check "host -> published port locally (GET http://127.0.0.1:8080/)" get_from "$HOST" 127.0.0.1 8080
check "blue -> published port on the host (GET http://$GATEWAY:8080/)" get_from "$BLUE" "$GATEWAY" 8080
check "blue -> the service's virtual IP (GET http://$VIP/)" get_from "$BLUE" "$VIP" 80
check "host -> the service's virtual IP (GET http://$VIP/)" get_from "$HOST" "$VIP" 80

say "6. topology"
say "   $HOST: bridge pbdemo0 $GATEWAY/24, uplink0 $UPLINK_HOST/24, masquerade out uplink0"
step network inspect demo
say "   $OUTSIDE: eth0 $UPLINK_OUTSIDE/24"
