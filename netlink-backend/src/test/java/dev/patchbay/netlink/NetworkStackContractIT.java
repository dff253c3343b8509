package dev.patchbay.netlink;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.Protocol;
import dev.patchbay.core.model.Qdisc;
import dev.patchbay.core.spi.NetworkStack;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.NetworkStackContract;
import dev.patchbay.testing.Sandbox;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.channels.Channel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import org.junit.jupiter.api.BeforeEach;

/**
 * The SPI's contract on the kernel: each check in throwaway namespaces of its own (the {@link Sandbox} deletes them after
 * every test, passed or failed). {@code FakeNetworkStackContractTest} runs the same checks on the fake.
 */
@NetnsTest
class NetworkStackContractIT extends NetworkStackContract {
    private final NetlinkNetworkStack stack = new NetlinkNetworkStack();
    private Sandbox sandbox;

    @BeforeEach
    void sandbox(Sandbox sandbox) {
        this.sandbox = sandbox;
    }

    @Override
    protected NetworkStack stack() {
        return stack;
    }

    @Override
    protected NetnsRef.Named netns(String role) {
        return new NetnsRef.Named(sandbox.netns(role));
    }

    @Override
    protected String unusedName(String role) {
        return sandbox.name(role);
    }

    /** A real socket of the address's family (not Java's dual-stack default), made on a thread in the namespace, so it belongs there. */
    @Override
    protected AutoCloseable listen(NetnsRef netns, Protocol protocol, InetSocketAddress at) {
        ProtocolFamily family = at.getAddress() instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
        return stack.callIn(netns, () -> {
            Channel socket = protocol == Protocol.TCP ? ServerSocketChannel.open(family).bind(at) : DatagramChannel.open(family).bind(at);
            return (AutoCloseable) socket::close;
        });
    }

    /** From {@code ip -j -d link show}: linkinfo's info_data. */
    @Override
    protected Vxlan vxlan(NetnsRef netns, String link) {
        JsonObject d = IpJson.link(sandbox, ((NetnsRef.Named) netns).name(), link).getAsJsonObject("linkinfo").getAsJsonObject("info_data");
        String local = IpJson.str(d, "local");
        return new Vxlan(d.get("id").getAsLong(), d.get("port").getAsInt(), local == null ? null : IpAddresses.parse("local", local),
                d.get("learning").getAsBoolean());
    }

    /** From {@code tc -j -raw qdisc show}: the root tbf's rate, burst and limit (bytes). */
    @Override
    protected Qdisc.TokenBucket tbf(NetnsRef netns, String link) {
        String out = sandbox.run("tc", "-j", "-raw", "-n", ((NetnsRef.Named) netns).name(), "qdisc", "show", "dev", link).trim();
        for (JsonElement e : out.isEmpty() ? new JsonArray() : JsonParser.parseString(out).getAsJsonArray()) {
            JsonObject q = e.getAsJsonObject();
            if (q.has("root") && q.get("kind").getAsString().equals("tbf")) {
                JsonObject o = q.getAsJsonObject("options");
                return new Qdisc.TokenBucket(o.get("rate").getAsLong(), o.get("burst").getAsInt(), o.get("limit").getAsInt());
            }
        }
        return null;
    }

    /** From {@code tc -j qdisc show} and {@code tc -j filter show ... parent ffff:}: the device of a mirred redirect. */
    @Override
    protected String ingressRedirect(NetnsRef netns, String link) {
        String n = ((NetnsRef.Named) netns).name();
        if (!sandbox.run("tc", "-j", "-n", n, "qdisc", "show", "dev", link).contains("\"ingress\"")) {
            return null;
        }
        String out = sandbox.run("tc", "-j", "-n", n, "filter", "show", "dev", link, "parent", "ffff:").trim();
        for (JsonElement e : out.isEmpty() ? new JsonArray() : JsonParser.parseString(out).getAsJsonArray()) {
            JsonObject o = e.getAsJsonObject().getAsJsonObject("options");
            for (JsonElement a : o != null && o.has("actions") ? o.getAsJsonArray("actions") : new JsonArray()) {
                if ("mirred".equals(a.getAsJsonObject().get("kind").getAsString())) {
                    return a.getAsJsonObject().get("to_dev").getAsString();
                }
            }
        }
        return null;
    }

    /** From {@code ip -j -d link}: its flags and its group. */
    @Override
    protected Flags flags(NetnsRef netns, String link) {
        JsonObject o = IpJson.link(sandbox, ((NetnsRef.Named) netns).name(), link);
        String flags = o.get("flags").toString();
        String group = IpJson.str(o, "group");
        return new Flags(flags.contains("\"PROMISC\""), flags.contains("\"ALLMULTI\""),
                group == null || group.equals("default") ? 0 : Integer.parseInt(group));
    }
}
