package dev.patchbay.plugin.ipam;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.patchbay.core.ipam.IpRange;
import dev.patchbay.core.ipam.IpamConfig;
import dev.patchbay.core.ipam.RangeSet;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.Route;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the real CNI host-local binary (argv + env, config on stdin) against a data directory. */
final class HostLocal {
    static final Path BINARY = Path.of("/usr/lib/cni/host-local");
    private static final Gson GSON = new Gson();

    private final String netnsPath;
    private final String config;

    HostLocal(String netnsPath, String network, Path dataDir, IpamConfig ipam) {
        this.netnsPath = netnsPath;
        this.config = config(network, dataDir, ipam);
    }

    record Result(int code, String stdout, String stderr) {
        /** The addresses of a successful ADD, without prefix length. */
        List<String> addresses() {
            if (code != 0) {
                throw new AssertionError("host-local failed (" + code + "): " + stdout + stderr);
            }
            List<String> out = new ArrayList<>();
            for (JsonElement ip : GSON.fromJson(stdout, JsonObject.class).getAsJsonArray("ips")) {
                String a = ip.getAsJsonObject().get("address").getAsString();
                out.add(a.substring(0, a.indexOf('/')));
            }
            return out;
        }
    }

    Process start(String command, String containerId, String ifName) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(BINARY.toString());
        Map<String, String> env = pb.environment();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", containerId);
        env.put("CNI_NETNS", netnsPath);
        env.put("CNI_IFNAME", ifName);
        env.put("CNI_PATH", BINARY.getParent().toString());
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(config.getBytes(StandardCharsets.UTF_8));
        }
        return p;
    }

    static Result finish(Process p) throws Exception {
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("host-local timed out");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    Result add(String containerId) throws Exception {
        return finish(start("ADD", containerId, "eth0"));
    }

    Result del(String containerId) throws Exception {
        return finish(start("DEL", containerId, "eth0"));
    }

    /** A CNI network config whose ipam section is host-local's form of {@code ipam}. */
    static String config(String network, Path dataDir, IpamConfig ipam) {
        JsonObject section = new JsonObject();
        section.addProperty("type", "host-local");
        section.addProperty("dataDir", dataDir.toString());
        JsonArray sets = new JsonArray();
        for (RangeSet set : ipam.rangeSets()) {
            JsonArray ranges = new JsonArray();
            for (IpRange r : set.ranges()) {
                JsonObject o = new JsonObject();
                o.addProperty("subnet", r.subnet().toString());
                if (r.rangeStart() != null) {
                    o.addProperty("rangeStart", IpAddresses.format(r.rangeStart()));
                }
                if (r.rangeEnd() != null) {
                    o.addProperty("rangeEnd", IpAddresses.format(r.rangeEnd()));
                }
                if (r.gateway() != null) {
                    o.addProperty("gateway", IpAddresses.format(r.gateway()));
                }
                ranges.add(o);
            }
            sets.add(ranges);
        }
        section.add("ranges", sets);
        JsonArray routes = new JsonArray();
        for (Route route : ipam.routes()) {
            JsonObject o = new JsonObject();
            o.addProperty("dst", route.destination().toString());
            if (route.gateway() != null) {
                o.addProperty("gw", IpAddresses.format(route.gateway()));
            }
            routes.add(o);
        }
        section.add("routes", routes);
        JsonObject conf = new JsonObject();
        conf.addProperty("cniVersion", "1.0.0");
        conf.addProperty("name", network);
        conf.addProperty("type", "bridge");
        conf.add("ipam", section);
        return GSON.toJson(conf);
    }
}
