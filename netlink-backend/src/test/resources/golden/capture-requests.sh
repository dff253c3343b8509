ip link set lo up
ip netns add other 2>/dev/null || true
cap() { name=$1; shift; strace -e trace=sendmsg -e write=3,4 -s 65536 -o /tmp/nlcap/$name.strace "$@" >/dev/null 2>&1 || echo "FAIL $name"; }
cap newlink_bridge ip link add br0 type bridge
cap newlink_veth ip link add v0 type veth peer name eth0
cap newlink_veth_netns ip link add v1 type veth peer name eth0 netns other
cap setlink_up ip link set v0 up
ip link set eth0 up
cap setlink_master ip link set v0 master br0
cap newaddr_v4 ip addr add 10.77.0.1/24 dev v0
cap newaddr_v6 ip addr add fd00::1/64 dev v0
sleep 0.2
cap newroute_default ip route add default via 10.77.0.254
cap newroute_host ip route add 10.77.1.5/32 dev v0 scope link
cap newrule ip rule add to 10.77.1.5/32 table main prio 512
cap newneigh ip neigh add 10.77.0.9 lladdr 02:00:00:00:00:09 dev v0 nud permanent
cap dellink ip link del v0
# macvlan (taken later, with v0 a fresh veth: index 3 there; see the README)
ip link add v0 type veth peer name v0p
cap newlink_macvlan_netns ip link add link v0 name eth0 netns other type macvlan mode bridge
cap newlink_macvlan ip link add link v0 name mv1 type macvlan mode private
