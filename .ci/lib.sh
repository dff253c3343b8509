# Shared by .ci/test and .ci/demo. Source it.
# Installs, when missing, what Patchbay needs on a fresh Debian machine: a JDK 17, Maven, iproute2,
# iptables, nftables with libnftables, ping, the CNI reference plugins (peers in tests and benchmarks), and rootful
# Podman with crun and busybox-static (PodmanIT: Podman drives Patchbay's cni/, in namespaces of its own), containerd with
# python3-grpcio (CriIT: containerd's CRI driven by the project's own CRI client, as kubelet drives it), and for the
# Debian package's checks lintian and systemd (systemd-analyze verify; systemd-socket-activate and systemd-notify in ServiceIT),
# and graphviz (dot: patchbay topology --format svg, and TopologyIT's rendered picture).
# etcd-server: etcd 3.4, the store the overlay driver leases node subnets in (EtcdClientIT, OverlayIT start their own).
PACKAGES="openjdk-17-jdk-headless maven gcc libc6-dev iproute2 iptables nftables libnftables1 iputils-ping util-linux procps python3 containernetworking-plugins podman crun containerd python3-grpcio busybox-static uidmap systemd lintian graphviz etcd-server iperf3"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

ensure_packages() {
  local missing=""
  for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  if [ -n "$missing" ]; then
    echo "installing:$missing"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq $missing >/dev/null
  fi
}

# What the machine's own network namespace looks like; compared before and after a run (house rule 1).
netns_snapshot() (
  set +e +o pipefail  # an empty listing is not an error here
  {
    echo "## links";   ip -o link show | sed -E 's/^[0-9]+: //; s/ qlen [0-9]+//' | awk '{print $1, $2}' | sort
    echo "## addrs";   ip -o addr show | awk '{print $2, $3, $4}' | sort
    echo "## routes";  ip route show table all 2>/dev/null | sort
    echo "## rules";   ip rule show 2>/dev/null
    echo "## netns";   ip netns list 2>/dev/null | awk '{print $1}' | sort
    echo "## nft";     nft list ruleset 2>/dev/null
    for v in iptables-nft-save iptables-legacy-save ip6tables-nft-save ip6tables-legacy-save; do
      command -v $v >/dev/null 2>&1 || continue
      echo "## $v"; $v 2>/dev/null | grep -v -E '^#' | sed -E 's/\[[0-9]+:[0-9]+\]//'
    done
    echo "## sysctl"
    for k in net.ipv4.ip_forward net.ipv6.conf.all.forwarding net.ipv4.conf.all.route_localnet \
             net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables; do
      printf '%s=%s\n' "$k" "$(sysctl -n "$k" 2>/dev/null || echo absent)"
    done
  } 2>/dev/null
  exit 0
)
