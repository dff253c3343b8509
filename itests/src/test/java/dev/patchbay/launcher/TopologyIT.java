package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code patchbay topology} on the demo's scenario in throwaway namespaces: a host namespace HOST with a masquerading
 * network, its uplink to "out", two containers (one with a published port), and a veth Patchbay did not make to
 * "stray". The JSON is checked for every namespace, link, bridge port, address and published port; the DOT is drawn by
 * Graphviz into target/topology/topology-demo.png (the picture to look at) and the SVG comes through the CLI.
 */
@NetnsTest
class TopologyIT {
    static final Path ARTIFACTS = Path.of("target", "topology");

    @RegisterExtension
    static final DaemonCli pb = new DaemonCli();

    @Test
    void theDemoScenario(Sandbox sandbox) throws Exception {
        Cli cli = pb.cli();
        String host = sandbox.netns("host");
        String red = sandbox.netns("red");
        String blue = sandbox.netns("blue");
        String out = sandbox.netns("out");
        String stray = sandbox.netns("stray");
        sandbox.run("ip", "-n", host, "link", "add", "up0", "type", "veth", "peer", "name", "eth0", "netns", out);
        sandbox.run("ip", "-n", host, "addr", "add", "198.51.100.1/24", "dev", "up0");
        sandbox.run("ip", "-n", host, "link", "set", "up0", "up");
        sandbox.run("ip", "-n", out, "addr", "add", "198.51.100.2/24", "dev", "eth0");
        sandbox.run("ip", "-n", out, "link", "set", "eth0", "up");
        sandbox.run("ip", "-n", host, "link", "add", "stray0", "type", "veth", "peer", "name", "eth0", "netns", stray); // not Patchbay's
        try {
            cli.run("-n", host, "network", "create", "web", "--subnet", "10.74.0.0/24", "--bridge", "pbtopo0", "--masquerade", "--uplink", "up0").ok();
            cli.run("-n", host, "attach", "web", "--netns", red, "--publish", "8080:80/tcp").ok();
            cli.run("-n", host, "attach", "web", "--netns", blue).ok();

            JsonObject t = JsonParser.parseString(cli.run("-n", host, "-o", "json", "topology").ok().out()).getAsJsonObject();
            assertEquals(host, t.get("host").getAsString());
            assertEquals("host", namespace(t, host).get("role").getAsString());
            assertEquals("container", namespace(t, red).get("role").getAsString());
            assertEquals("container", namespace(t, blue).get("role").getAsString());
            assertEquals("other", namespace(t, out).get("role").getAsString());
            assertEquals("other", namespace(t, stray).get("role").getAsString());
            assertEquals("10.74.0.1", namespace(t, red).getAsJsonArray("defaults").get(0).getAsJsonObject().get("gateway").getAsString());

            JsonObject bridge = link(t, host, "pbtopo0");
            assertEquals("bridge", bridge.get("kind").getAsString());
            assertEquals("bridge", bridge.get("role").getAsString());
            assertEquals(List.of("10.74.0.1/24"), assigned(bridge));
            assertEquals("uplink", link(t, host, "up0").get("role").getAsString());
            assertEquals(List.of("198.51.100.1/24"), assigned(link(t, host, "up0")));
            assertEquals(List.of("198.51.100.2/24"), assigned(link(t, out, "eth0")));
            assertFalse(link(t, host, "up0").get("foreign").getAsBoolean());
            assertTrue(link(t, host, "stray0").get("foreign").getAsBoolean(), "the veth Patchbay did not make is foreign");
            assertEquals(List.of("10.74.0.2/24"), assigned(link(t, red, "eth0")));
            assertEquals(List.of("10.74.0.3/24"), assigned(link(t, blue, "eth0")));

            for (String c : List.of(red, blue)) { // each container's eth0 is the peer of a port of the bridge in the host
                JsonObject veth = edge(t, "veth", c, "eth0");
                JsonObject hostEnd = veth.getAsJsonObject("a").get("namespace").getAsString().equals(host) ? veth.getAsJsonObject("a") : veth.getAsJsonObject("b");
                assertEquals(host, hostEnd.get("namespace").getAsString(), veth.toString());
                String port = hostEnd.get("link").getAsString();
                assertEquals("pbtopo0", link(t, host, port).get("master").getAsString());
                assertEquals("port", link(t, host, port).get("role").getAsString());
                JsonObject portEdge = edge(t, "port", host, port);
                assertEquals("pbtopo0", portEdge.getAsJsonObject("b").get("link").getAsString());
            }
            assertEquals(out, other(edge(t, "veth", host, "up0"), host, "up0").get("namespace").getAsString());
            assertEquals(stray, other(edge(t, "veth", host, "stray0"), host, "stray0").get("namespace").getAsString());

            JsonObject web = t.getAsJsonArray("networks").get(0).getAsJsonObject();
            assertEquals("web", web.get("name").getAsString());
            assertTrue(web.get("masquerade").getAsBoolean());
            assertEquals("up0", web.get("uplink").getAsString());
            JsonArray published = web.getAsJsonArray("published");
            assertEquals(1, published.size(), published.toString());
            JsonObject p = published.get(0).getAsJsonObject();
            assertEquals("8080:80/tcp", p.get("mapping").getAsString());
            assertEquals(red, p.get("namespace").getAsString());
            assertEquals("10.74.0.2", p.get("address").getAsString());

            String text = cli.run("-n", host, "topology").ok().out();
            assertTrue(text.contains(red + "  (container web/") && text.contains("<-> " + host + " "), text);

            String dot = cli.run("-n", host, "topology", "--format", "dot").ok().out();
            assertFalse(dot.contains("fe80:"), "the picture leaves out link-local addresses: " + dot);
            Files.createDirectories(ARTIFACTS);
            Files.writeString(ARTIFACTS.resolve("topology-demo.dot"), dot);
            Path png = ARTIFACTS.resolve("topology-demo.png");
            Sandbox.Result drawn = Sandbox.exec("dot", "-Tpng", "-o", png.toString(), ARTIFACTS.resolve("topology-demo.dot").toString());
            assertEquals(0, drawn.code(), "dot accepts the DOT: " + drawn.output());
            byte[] head = Files.readAllBytes(png);
            assertTrue(head.length > 1000 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G', "a PNG at " + png);

            String svg = cli.run("-n", host, "topology", "--format", "svg").ok().out();
            assertTrue(svg.contains("<svg") && svg.contains("pbtopo0"), svg);

            Cli.Run bad = cli.run("-n", host, "topology", "--format", "png");
            assertEquals(2, bad.code(), bad.err());
            assertTrue(bad.err().contains("format") && bad.err().contains("png"), bad.err());
        } finally {
            cli.run("-n", host, "detach", "web", "--netns", red);
            cli.run("-n", host, "detach", "web", "--netns", blue);
            cli.run("-n", host, "network", "rm", "web");
        }
        cli.assertNoRecords();
    }

    private static JsonObject namespace(JsonObject t, String id) {
        return objects(t.getAsJsonArray("namespaces")).stream().filter(n -> n.get("id").getAsString().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no namespace " + id + " in " + t));
    }

    private static JsonObject link(JsonObject t, String ns, String name) {
        return objects(t.getAsJsonArray("links")).stream()
                .filter(l -> l.get("namespace").getAsString().equals(ns) && l.get("name").getAsString().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no link " + ns + "/" + name + " in " + t));
    }

    /** The edge of {@code kind} one of whose ends is {@code ns}/{@code name}. */
    private static JsonObject edge(JsonObject t, String kind, String ns, String name) {
        return objects(t.getAsJsonArray("edges")).stream().filter(e -> e.get("kind").getAsString().equals(kind))
                .filter(e -> is(e.getAsJsonObject("a"), ns, name) || is(e.getAsJsonObject("b"), ns, name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " edge of " + ns + "/" + name + " in " + t));
    }

    private static JsonObject other(JsonObject edge, String ns, String name) {
        return is(edge.getAsJsonObject("a"), ns, name) ? edge.getAsJsonObject("b") : edge.getAsJsonObject("a");
    }

    private static boolean is(JsonObject end, String ns, String name) {
        return end.get("namespace").getAsString().equals(ns) && end.get("link").getAsString().equals(name);
    }

    private static List<JsonObject> objects(JsonArray a) {
        return StreamSupport.stream(a.spliterator(), false).map(e -> e.getAsJsonObject()).toList();
    }

    /** A link's addresses but the IPv6 link-local one the kernel gives it when it comes up (which must be all it adds). */
    private static List<String> assigned(JsonObject link) {
        List<String> all = StreamSupport.stream(link.getAsJsonArray("addresses").spliterator(), false).map(e -> e.getAsString()).toList();
        List<String> kernels = all.stream().filter(a -> a.startsWith("fe80:")).toList();
        assertTrue(kernels.size() <= 1, "at most one link-local address: " + link);
        return all.stream().filter(a -> !kernels.contains(a)).toList();
    }
}
