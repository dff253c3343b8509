ip link set lo up
ip link add br0 type bridge
ip link add v0 type veth peer name eth0
ip link set v0 master br0
ip addr add 10.77.0.1/24 dev br0
cap() { name=$1; shift; strace -e trace=recvmsg -e read=3 -s 65536 -o /tmp/nlcap/r_$name.strace "$@" >/dev/null 2>&1 || echo "FAIL(expected?) $name"; }
cap getlink_v0 ip link show v0
cap error_eexist ip link add br0 type bridge
cap getaddr_dump ip -4 addr show
