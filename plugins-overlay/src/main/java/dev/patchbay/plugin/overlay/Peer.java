package dev.patchbay.plugin.overlay;

import com.google.gson.JsonObject;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.MacAddress;
import java.net.InetAddress;

/** A node of an overlay network as etcd holds it: its name, subnet, underlay address and VTEP MAC, and its lease. */
record Peer(String node, IpPrefix subnet, InetAddress underlay, MacAddress vtepMac, long lease) {
    String json() {
        JsonObject o = new JsonObject();
        o.addProperty("subnet", subnet.toString());
        o.addProperty("underlay", IpAddresses.format(underlay));
        o.addProperty("vtepMac", vtepMac.value());
        return o.toString();
    }

    static Peer parse(String node, String json, long lease) {
        JsonObject o = com.google.gson.JsonParser.parseString(json).getAsJsonObject();
        return new Peer(node, IpPrefix.parse(o.get("subnet").getAsString()), IpAddresses.parse("underlay", o.get("underlay").getAsString()),
                MacAddress.parse(o.get("vtepMac").getAsString()), lease);
    }

    /** The peer's VTEP address: its subnet's first (network) address, reached on the VXLAN device. */
    InetAddress vtep() {
        return subnet.network().address();
    }
}
