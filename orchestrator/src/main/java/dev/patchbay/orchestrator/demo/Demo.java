package dev.patchbay.orchestrator.demo;

import dev.patchbay.core.errors.ErrorCollector;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.model.LinkSpec;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.PortMapping;
import dev.patchbay.core.network.AttachRequest;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.orchestrator.network.Attachments;
import dev.patchbay.orchestrator.network.NetworkManager;
import dev.patchbay.orchestrator.network.Networks;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.NetworkStack;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The tutorials' scenario, end to end, in namespaces the demo makes and removes: a "host" with a
 * bridge network (masquerading out of an uplink), containers red and blue attached, red publishing
 * port 80 as 8080, and an "outside" namespace on the uplink playing the internet. Every claim is
 * checked with real traffic.
 */
final class Demo {
    static final String SUBNET = "10.200.0.0/24";
    static final String UPLINK_HOST = "198.51.100.1";
    static final String UPLINK_OUTSIDE = "198.51.100.2";

    private final NetworkManager m;
    private final PrintWriter out;
    private final String prefix;
    private final List<String> failures = new ArrayList<>();

    Demo(NetworkManager manager, PrintWriter out) {
        this.m = manager;
        this.out = out;
        this.prefix = "pbdemo" + ProcessHandle.current().pid() % 100000 + "-";
    }

    /** Runs the scenario and cleans up on every path; returns the failed checks. */
    List<String> run() throws IOException {
        NetworkStack stack = m.stack();
        Path state = Files.createTempDirectory("patchbay-demo-");
        NetnsRef host = NetnsRef.named(prefix + "host");
        NetnsRef red = NetnsRef.named(prefix + "red");
        NetnsRef blue = NetnsRef.named(prefix + "blue");
        NetnsRef outside = NetnsRef.named(prefix + "outside");
        List<NetnsRef> made = new ArrayList<>();
        Networks networks = m.networks(state);
        Attachments attachments = m.attachments(state);
        ServerSocket server = null;
        try {
            say("1. namespaces: " + host + " (the host), " + red + ", " + blue + " (containers), " + outside + " (the internet)");
            for (NetnsRef n : List.of(host, red, blue, outside)) {
                stack.namespaces().create(((NetnsRef.Named) n).name());
                made.add(n);
            }
            say("2. uplink: host uplink0 " + UPLINK_HOST + "/24 <-> outside eth0 " + UPLINK_OUTSIDE + "/24 (no route back to the containers)");
            try (NetnsHandle h = stack.open(host); NetnsHandle o = stack.open(outside)) {
                h.links().setUp(LinkRef.name("lo"), true);
                h.links().add(new LinkSpec.Veth(new IfName("uplink0"), new IfName("eth0"), outside, null, null, null));
                h.addresses().add(LinkRef.name("uplink0"), IpPrefix.parse(UPLINK_HOST + "/24"));
                h.links().setUp(LinkRef.name("uplink0"), true);
                o.addresses().add(LinkRef.name("eth0"), IpPrefix.parse(UPLINK_OUTSIDE + "/24"));
                o.links().setUp(LinkRef.name("eth0"), true);
                o.links().setUp(LinkRef.name("lo"), true);
            }
            IpPrefix subnet = IpPrefix.parseSubnet("subnet", SUBNET);
            NetworkConfig config = new NetworkConfig("demo", "bridge", List.of(), subnet, NetworkConfig.firstHost(subnet), null, null,
                    java.util.Map.of("bridge", "pbdemo0", "masquerade", "true", "uplink", "uplink0"));
            say("3. patchbay network create demo --subnet " + SUBNET + " --bridge pbdemo0 --masquerade --uplink uplink0");
            networks.create(host, config, true);
            say("4. patchbay attach demo --netns " + red + " --publish 8080:80/tcp; patchbay attach demo --netns " + blue);
            Attachment r = attachments.attach(host, new AttachRequest("demo", "red", red, null, List.of(), null, List.of(PortMapping.parse("8080:80/tcp"))));
            Attachment b = attachments.attach(host, new AttachRequest("demo", "blue", blue, null, List.of(), null, List.of()));
            String redIp = IpAddresses.format(r.addresses().get(0).address());
            String blueIp = IpAddresses.format(b.addresses().get(0).address());
            String gw = IpAddresses.format(config.gateway());
            say("   red " + redIp + ", blue " + blueIp + ", gateway " + gw);
            Probes probes = new Probes(stack);
            server = probes.serve(red, 80, "hello from red\n");
            say("5. checks with real traffic (an HTTP server listens on red:80)");
            check("red -> blue (ping " + blueIp + ")", probes.ping(red, blueIp));
            check("blue -> red (ping " + redIp + ")", probes.ping(blue, redIp));
            check("red -> host gateway (ping " + gw + ")", probes.ping(red, gw));
            check("red -> outside through masquerade (ping " + UPLINK_OUTSIDE + ")", probes.ping(red, UPLINK_OUTSIDE));
            check("outside -> published port (GET http://" + UPLINK_HOST + ":8080/)", "hello from red\n".equals(probes.get(outside, UPLINK_HOST, 8080)));
            check("host -> published port locally (GET http://127.0.0.1:8080/)", "hello from red\n".equals(probes.get(host, "127.0.0.1", 8080)));
            check("blue -> published port on the host (GET http://" + gw + ":8080/)", "hello from red\n".equals(probes.get(blue, gw, 8080)));
            say("6. topology");
            Networks.Details d = networks.inspect("demo");
            say("   " + host + ": bridge pbdemo0 " + config.gatewayAddress() + ", uplink0 " + UPLINK_HOST + "/24, masquerade out uplink0");
            for (Attachment a : d.attachments()) {
                say("   " + a.containerId() + ": " + a.ifName() + " " + a.addresses() + " <-> " + a.hostIf() + " (port of pbdemo0)"
                        + (a.ports().isEmpty() ? "" : ", publishes " + a.ports()));
            }
            say("   " + outside + ": eth0 " + UPLINK_OUTSIDE + "/24");
        } finally {
            say("7. clean up");
            ErrorCollector errors = new ErrorCollector();
            if (server != null) {
                ServerSocket s = server;
                errors.run("stop the HTTP server", () -> {
                    try {
                        s.close();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
            }
            if (made.contains(host)) {
                for (String c : List.of("red", "blue")) {
                    errors.run("detach " + c, () -> attachments.detach(host, "demo", c));
                }
                errors.run("remove network demo", () -> {
                    if (networks.list().stream().anyMatch(n -> n.name().equals("demo"))) {
                        networks.remove(host, "demo", true);
                    }
                });
            }
            for (int i = made.size() - 1; i >= 0; i--) {
                String name = ((NetnsRef.Named) made.get(i)).name();
                errors.run("delete namespace " + name, () -> stack.namespaces().delete(name));
            }
            deleteTree(state);
            errors.errors().forEach(e -> say("   cleanup error: " + e.getMessage()));
            say(errors.isEmpty() ? "   removed every namespace, link, rule and record the demo made" : "   cleanup incomplete");
        }
        return failures;
    }

    private void check(String what, boolean ok) {
        say("   " + (ok ? "ok    " : "FAILED") + " " + what);
        if (!ok) {
            failures.add(what);
        }
    }

    private void say(String line) {
        out.println(line);
        out.flush();
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp directory
        }
    }
}
