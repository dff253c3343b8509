package dev.patchbay.netlink.wire;

/** Kernel constants of netlink and rtnetlink, named as in the kernel's uapi headers. */
public final class Rtnetlink {
    private Rtnetlink() {
    }

    // address families, socket
    public static final int AF_UNSPEC = 0;
    public static final int AF_INET = 2;
    public static final int AF_NETLINK = dev.patchbay.sys.NetlinkFd.AF_NETLINK;
    public static final int AF_BRIDGE = 7;
    public static final int AF_INET6 = 10;
    public static final int NETLINK_ROUTE = 0;
    public static final int NETLINK_SOCK_DIAG = 4;
    /** sock_diag: the request and answer type of a per-family dump (inet_diag_req_v2 / inet_diag_msg). */
    public static final int SOCK_DIAG_BY_FAMILY = 20;
    public static final int SOL_NETLINK = dev.patchbay.sys.NetlinkFd.SOL_NETLINK;
    public static final int NETLINK_CAP_ACK = dev.patchbay.sys.NetlinkFd.NETLINK_CAP_ACK;
    public static final int NETLINK_EXT_ACK = dev.patchbay.sys.NetlinkFd.NETLINK_EXT_ACK;
    public static final int NETLINK_GET_STRICT_CHK = 12;

    // nlmsghdr types and flags
    public static final int NLMSG_NOOP = 1;
    public static final int NLMSG_ERROR = 2;
    public static final int NLMSG_DONE = 3;
    public static final int NLMSG_OVERRUN = 4;
    public static final int NLM_F_REQUEST = 0x01;
    public static final int NLM_F_MULTI = 0x02;
    public static final int NLM_F_ACK = 0x04;
    public static final int NLM_F_ECHO = 0x08;
    public static final int NLM_F_DUMP_INTR = 0x10;
    public static final int NLM_F_DUMP_FILTERED = 0x20;
    public static final int NLM_F_ROOT = 0x100;
    public static final int NLM_F_MATCH = 0x200;
    public static final int NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
    public static final int NLM_F_REPLACE = 0x100;
    public static final int NLM_F_EXCL = 0x200;
    public static final int NLM_F_CREATE = 0x400;
    public static final int NLM_F_APPEND = 0x800;
    public static final int NLM_F_CAPPED = 0x100;
    public static final int NLM_F_ACK_TLVS = 0x200;
    public static final int NLMSGERR_ATTR_MSG = 1;

    // rtnetlink message types
    public static final int RTM_NEWLINK = 16;
    public static final int RTM_DELLINK = 17;
    public static final int RTM_GETLINK = 18;
    public static final int RTM_SETLINK = 19;
    public static final int RTM_NEWADDR = 20;
    public static final int RTM_DELADDR = 21;
    public static final int RTM_GETADDR = 22;
    public static final int RTM_NEWROUTE = 24;
    public static final int RTM_DELROUTE = 25;
    public static final int RTM_GETROUTE = 26;
    public static final int RTM_NEWNEIGH = 28;
    public static final int RTM_DELNEIGH = 29;
    public static final int RTM_GETNEIGH = 30;
    public static final int RTM_NEWRULE = 32;
    public static final int RTM_DELRULE = 33;
    public static final int RTM_GETRULE = 34;
    public static final int RTM_NEWQDISC = 36;
    public static final int RTM_DELQDISC = 37;
    public static final int RTM_GETQDISC = 38;
    public static final int RTM_NEWTFILTER = 44;
    public static final int RTM_DELTFILTER = 45;
    public static final int RTM_GETTFILTER = 46;

    // multicast groups (bind(2) nl_groups bits)
    public static final int RTMGRP_LINK = 0x1;
    public static final int RTMGRP_NEIGH = 0x4;
    public static final int RTMGRP_IPV4_IFADDR = 0x10;
    public static final int RTMGRP_IPV4_ROUTE = 0x40;
    public static final int RTMGRP_IPV6_IFADDR = 0x100;
    public static final int RTMGRP_IPV6_ROUTE = 0x400;

    // link flags
    public static final int IFF_UP = 0x1;
    public static final int IFF_LOWER_UP = 0x10000;
    public static final int IFF_PROMISC = 0x100;
    public static final int IFF_ALLMULTI = 0x200;

    // IFLA_*
    public static final int IFLA_ADDRESS = 1;
    public static final int IFLA_BROADCAST = 2;
    public static final int IFLA_IFNAME = 3;
    public static final int IFLA_MTU = 4;
    public static final int IFLA_LINK = 5;
    public static final int IFLA_MASTER = 10;
    public static final int IFLA_PROTINFO = 12;
    public static final int IFLA_OPERSTATE = 16;
    public static final int IFLA_LINKINFO = 18;
    public static final int IFLA_NET_NS_PID = 19;
    public static final int IFLA_GROUP = 27;
    public static final int IFLA_NET_NS_FD = 28;
    public static final int IFLA_EXT_MASK = 29;
    public static final int IFLA_LINK_NETNSID = 37;
    public static final int IFLA_INFO_KIND = 1;
    public static final int IFLA_INFO_DATA = 2;
    public static final int IFLA_INFO_SLAVE_KIND = 4;
    public static final int IFLA_INFO_SLAVE_DATA = 5;
    public static final int VETH_INFO_PEER = 1;
    /** IFLA_INFO_DATA of a macvlan: its mode (u32, one of the MACVLAN_MODE_* bits). */
    public static final int IFLA_MACVLAN_MODE = 1;
    public static final int MACVLAN_MODE_PRIVATE = 1;
    public static final int MACVLAN_MODE_VEPA = 2;
    public static final int MACVLAN_MODE_BRIDGE = 4;
    public static final int MACVLAN_MODE_PASSTHRU = 8;
    public static final int IFLA_BRPORT_MODE = 4;
    public static final int IFLA_BRPORT_ISOLATED = 33;
    public static final int RTEXT_FILTER_VF = 1;
    public static final int RTEXT_FILTER_SKIP_STATS = 1 << 3;

    // IFA_*
    public static final int IFA_ADDRESS = 1;
    public static final int IFA_LOCAL = 2;
    public static final int IFA_LABEL = 3;
    public static final int IFA_BROADCAST = 4;
    public static final int IFA_FLAGS = 8;
    public static final int IFA_F_NODAD = 0x02;
    public static final int IFA_F_PERMANENT = 0x80;

    // RTA_*, RTN_*, RTPROT_*, scopes, tables
    public static final int RTA_DST = 1;
    public static final int RTA_SRC = 2;
    public static final int RTA_IIF = 3;
    public static final int RTA_OIF = 4;
    public static final int RTA_GATEWAY = 5;
    public static final int RTA_PRIORITY = 6;
    public static final int RTA_PREFSRC = 7;
    public static final int RTA_TABLE = 15;
    public static final int RTN_UNSPEC = 0;
    public static final int RTN_UNICAST = 1;
    public static final int RTN_LOCAL = 2;
    public static final int RTPROT_UNSPEC = 0;
    public static final int RTPROT_KERNEL = 2;
    public static final int RTPROT_BOOT = 3;
    public static final int RTPROT_STATIC = 4;
    public static final int RT_SCOPE_UNIVERSE = 0;
    public static final int RT_SCOPE_LINK = 253;
    public static final int RT_SCOPE_HOST = 254;
    public static final int RT_SCOPE_NOWHERE = 255;
    public static final int RT_TABLE_UNSPEC = 0;
    public static final int RT_TABLE_MAIN = 254;
    public static final int RT_TABLE_LOCAL = 255;
    public static final int RTM_F_CLONED = 0x200;

    // FRA_* (fib rules)
    public static final int FRA_DST = 1;
    public static final int FRA_SRC = 2;
    public static final int FRA_IIFNAME = 3;
    public static final int FRA_PRIORITY = 6;
    public static final int FRA_TABLE = 15;
    public static final int FR_ACT_TO_TBL = 1;

    // NDA_*, NUD_*
    public static final int NDA_DST = 1;
    public static final int NDA_LLADDR = 2;
    public static final int NUD_INCOMPLETE = 0x01;
    public static final int NUD_REACHABLE = 0x02;
    public static final int NUD_STALE = 0x04;
    public static final int NUD_NOARP = 0x40;
    public static final int NUD_PERMANENT = 0x80;
    /** ndm_flags: an entry of the device's own table (not of the bridge it is a port of). */
    public static final int NTF_SELF = 0x02;

    // traffic control (linux/rtnetlink.h TCA_*, linux/pkt_sched.h)
    public static final int TCA_KIND = 1;
    public static final int TCA_OPTIONS = 2;
    public static final int TC_H_ROOT = 0xFFFFFFFF;
    public static final int TCA_TBF_PARMS = 1;
    public static final int TCA_TBF_RATE64 = 4;
    public static final int TCA_TBF_BURST = 6;
    public static final int TC_LINKLAYER_ETHERNET = 1;
    /** The ingress qdisc's parent and its handle ({@code ffff:}), the parent of its filters. */
    public static final int TC_H_INGRESS = 0xFFFFFFF1;
    public static final int TC_H_INGRESS_HANDLE = 0xFFFF0000;
    // cls_u32 (linux/pkt_cls.h): its selector and its actions; a terminal selector with one key of mask 0 matches all
    public static final int TCA_U32_SEL = 5;
    public static final int TCA_U32_ACT = 7;
    public static final int TC_U32_TERMINAL = 1;
    // actions (linux/pkt_cls.h, tc_act/tc_mirred.h): an action's kind and options; mirred's parms
    public static final int TCA_ACT_KIND = 1;
    public static final int TCA_ACT_OPTIONS = 2;
    public static final int TCA_MIRRED_PARMS = 2;
    public static final int TCA_EGRESS_REDIR = 1;
    public static final int TC_ACT_STOLEN = 4;
    public static final int ETH_P_ALL = 0x0003;

    /** Attribute flags that may be set in {@code nla_type}; masked off when decoding. */
    public static final int NLA_F_NESTED = 0x8000;
    public static final int NLA_F_NET_BYTEORDER = 0x4000;
    public static final int NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;

    public static final int NLMSG_HDRLEN = 16;

    /** Rounds up to the 4-byte boundary netlink aligns messages and attributes to. */
    public static int align(int length) {
        return (length + 3) & ~3;
    }
}
