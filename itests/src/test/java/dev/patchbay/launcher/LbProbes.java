package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.testing.Sandbox;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * LoadBalancerIT's probes: small python servers answering their names, clients counting who answered, the network
 * every test of it starts from (a client and backends serving on one port), and the readings of the CLI's JSON.
 */
final class LbProbes {
    static final String SERVER = """
            import socket,sys
            s=socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            s.bind(("::", int(sys.argv[1]))); s.listen(64)
            print("ready", flush=True)
            while True:
                c,a=s.accept()
                c.sendall((sys.argv[2]+"\\n").encode()); c.close()
            """;

    /** N connections one after another; prints {name: count}, failures as "FAIL <error>", and the last failure's time. */
    static final String CLIENT = """
            import socket,sys,json,time
            counts={}; took=0
            for i in range(int(sys.argv[3])):
                t=time.monotonic()
                try:
                    c=socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
                    k=c.makefile().readline().strip(); c.close()
                except OSError as e:
                    k="FAIL "+type(e).__name__; took=time.monotonic()-t
                counts[k]=counts.get(k,0)+1
            print(json.dumps({"counts":counts,"failTook":took}))
            """;

    /** Connections one after another until file argv[3] exists; prints "first" after the first answer, then {ok, fails}. */
    static final String STREAM = """
            import socket,sys,json,os
            ok=0; fails={}
            while not os.path.exists(sys.argv[3]):
                try:
                    c=socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
                    k=c.makefile().readline().strip(); c.close()
                    if not k: raise OSError("no answer")
                    ok+=1
                    if ok==1: print("first", flush=True)
                except OSError as e:
                    fails[type(e).__name__]=fails.get(type(e).__name__,0)+1
            print(json.dumps({"ok":ok,"fails":fails}), flush=True)
            """;

    private LbProbes() {
    }

    /**
     * Network lb in a throwaway host namespace with container c1 (the client) attached; {@link #backends} adds the backends
     * ({@code names}, their namespaces), each serving its name ({@code servers}).
     */
    record Lb(String host, String client, List<String> names, List<Process> servers) {
        static Lb create(Sandbox sandbox, Cli pb, String... createOptions) throws Exception {
            String host = sandbox.netns("host");
            Lb lb = new Lb(host, sandbox.netns("c1"), new ArrayList<>(), new ArrayList<>());
            List<String> create = new ArrayList<>(List.of("-n", host, "network", "create", "lb"));
            create.addAll(List.of(createOptions));
            pb.run(create.toArray(String[]::new)).ok();
            try {
                pb.run("-n", host, "attach", "lb", "--netns", lb.client).ok();
            } catch (AssertionError e) {
                pb.run("-n", host, "network", "rm", "lb", "--force");
                throw e;
            }
            return lb;
        }

        /** Backends attached to lb and serving their names on {@code port}. */
        Lb backends(Sandbox sandbox, Cli pb, int port, String... roles) throws Exception {
            for (String b : roles) {
                String ns = sandbox.netns(b);
                names.add(ns);
                pb.run("-n", host, "attach", "lb", "--netns", ns).ok();
                servers.add(serve(ns, port));
            }
            return this;
        }

        /** Stops the servers and removes what the test left (whatever is already gone is skipped). */
        void close(Cli pb, String... services) throws InterruptedException {
            for (Process p : servers) {
                stop(p);
            }
            for (String s : services) {
                pb.run("-n", host, "service", "rm", s);
            }
            pb.run("-n", host, "network", "rm", "lb", "--force");
        }
    }

    static Process serve(String netns, int port) throws Exception {
        return serve(netns, port, false);
    }

    /** {@code v4only}: a server on 0.0.0.0, not on IPv6. */
    static Process serve(String netns, int port, boolean v4only) throws Exception {
        String server = v4only ? SERVER.replace("socket.AF_INET6", "socket.AF_INET").replace("\"::\"", "\"0.0.0.0\"")
                .replace("s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)\n", "") : SERVER;
        Process p = new ProcessBuilder("ip", "netns", "exec", netns, "python3", "-c", server, Integer.toString(port), netns)
                .redirectErrorStream(true).start();
        String line = new String(p.getInputStream().readNBytes(6), StandardCharsets.UTF_8);
        assertEquals("ready\n", line, "server in " + netns);
        return p;
    }

    static void stop(Process p) throws InterruptedException {
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
        p.waitFor(5, TimeUnit.SECONDS);
    }

    static Map<String, Integer> connect(Sandbox sandbox, String from, String vip, int n) {
        return connect(sandbox, from, vip, 80, n);
    }

    static Map<String, Integer> connect(Sandbox sandbox, String from, String address, int port, int n) {
        Sandbox.Result r = sandbox.execIn(from, "python3", "-c", CLIENT, address, Integer.toString(port), Integer.toString(n));
        assertEquals(0, r.code(), r.output());
        Map<String, Integer> out = new TreeMap<>();
        JsonParser.parseString(r.output()).getAsJsonObject().getAsJsonObject("counts").entrySet()
                .forEach(e -> out.put(e.getKey(), e.getValue().getAsInt()));
        return out;
    }

    /** One connection: {counts, failTook}. */
    static JsonObject once(Sandbox sandbox, String from, String address, int port) {
        return JsonParser.parseString(sandbox.execIn(from, "python3", "-c", CLIENT, address, Integer.toString(port), "1").output())
                .getAsJsonObject();
    }

    /** The backends of service api that are down, by namespace. */
    static List<String> down(Cli pb, String host) {
        List<String> out = new ArrayList<>();
        json(pb.run("-n", host, "-o", "json", "service", "inspect", "api").ok()).getAsJsonArray("backends").forEach(b -> {
            if (b.getAsJsonObject().get("down").getAsBoolean()) {
                out.add(b.getAsJsonObject().get("netns").getAsString());
            }
        });
        return out;
    }

    static boolean until(int seconds, java.util.function.BooleanSupplier what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (what.getAsBoolean()) {
                return true;
            }
            Thread.sleep(200);
        }
        return false;
    }

    static String read(java.nio.file.Path file) {
        try {
            return java.nio.file.Files.readString(file);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    static JsonObject json(Cli.Run r) {
        return JsonParser.parseString(r.out()).getAsJsonObject();
    }

    static String jsonArray(Cli.Run r) {
        return JsonParser.parseString(r.out()).toString();
    }
}
