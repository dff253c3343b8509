package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --dry-run} proven by a round trip, on each firewall backend, over one scenario: the tutorials' steps (network
 * create, attach with a published port, publish, unpublish, detach, network rm) with a service created and removed, gc
 * after the bridge was deleted and a swap to the other backend among them. Two copies of the scenario's namespaces go
 * step by step: in the first Patchbay runs each command; in the second {@code sh} runs the script each command's dry
 * run printed just before, from the state the steps before it made. After every step the kernels they hold (links
 * with their kinds, masters, state and bridge-port hairpin; addresses; routes; sysctls; the nftables ruleset and the
 * iptables rules, without handles and counters; the namespaces' names read as their roles) are equal, and the dry run
 * itself changed nothing, neither the kernel nor the state directory. On nftables through a daemon, whose bridge driver
 * deletes a detached container's link in the background (a dry-run detach changes nothing, and its script deletes the
 * link the daemon deletes a moment later); on iptables without one, each command a fresh process working in-process.
 */
@NetnsTest
class DryRunIT {
    /** The tutorials' scenario; a step starting with "!" is a command of the test's, run in both copies. */
    private static final List<List<String>> STEPS = List.of(
            List.of("network", "create", "web", "--subnet", "10.89.0.0/24", "--masquerade"),
            List.of("attach", "web", "--netns", "@red", "--publish", "8080:80/tcp"),
            List.of("publish", "web", "--netns", "@red", "9000:90/udp"),
            // a service (the services bundle's use cases): its VIP, the backend's hairpin port, its balance rule; then its removal
            List.of("service", "create", "api", "--network", "web", "--port", "80/tcp", "--backend", "@red:8080"),
            List.of("service", "rm", "api"),
            // gc after someone deleted the bridge: it makes the bridge again and plugs the container back in
            List.of("!", "ip", "-n", "@host", "link", "del", "pb-web"),
            List.of("gc"),
            List.of("unpublish", "web", "--netns", "@red", "8080:80/tcp"),
            List.of("firewall", "backend", "@other"), // every owner's rules on the other backend, then removed from this one
            List.of("detach", "web", "--netns", "@red"),
            List.of("network", "rm", "web"));

    private Sandbox sandbox;
    private String host;
    private String red;
    private String scriptHost;
    private String scriptRed;

    @ParameterizedTest
    @ValueSource(strings = {"nftables", "iptables"})
    void eachStepsScriptMakesWhatTheCommandMakes(String backend, Sandbox sandbox) throws Exception {
        start(sandbox);
        boolean daemon = backend.equals("nftables");
        java.nio.file.Path state = Files.createTempDirectory("pb-state");
        Cli cli = new Cli(state, Files.createTempDirectory("pb-run"),
                daemon ? Map.of() : Map.of("PATCHBAY_DAEMON", "off", "PATCHBAY_FW", backend));
        Process served = daemon ? cli.startDaemon(Map.of("PATCHBAY_FW", backend, "PATCHBAY_STATE_DIR", state.toString(),
                "PATCHBAY_REPAIR_SECONDS", "3600")) : null;
        String other = backend.equals("nftables") ? "iptables" : "nftables";
        try {
            for (List<String> step : STEPS) {
                if (step.get(0).equals("!")) {
                    for (String ns : List.of(host, scriptHost)) {
                        sandbox.run(step.subList(1, step.size()).stream().map(a -> a.equals("@host") ? ns : a).toArray(String[]::new));
                    }
                } else {
                    roundTrip(cli, step.stream().map(a -> a.equals("@other") ? other : a).toList(), daemon);
                }
            }
        } finally {
            if (served != null) {
                served.destroy();
                served.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
    }

    private void start(Sandbox sandbox) {
        this.sandbox = sandbox;
        host = sandbox.netns("h");
        red = sandbox.netns("red");
        scriptHost = sandbox.netns("sh");
        scriptRed = sandbox.netns("sred");
    }

    /**
     * From the state the steps so far made (Patchbay's in the first copy, their scripts' in the second): the dry run of
     * {@code step} changes nothing; its script, run by sh in the second copy, and the command, run in the first, leave the
     * two kernels the same (through a {@code daemon}: once its background deletion is done).
     */
    private void roundTrip(Cli cli, List<String> step, boolean daemon) throws Exception {
        String was = kernel(host, red) + state(cli);
        Cli.Run dry = cli.run(args(step, "--dry-run")).ok();
        assertEquals(was, kernel(host, red) + state(cli), "the dry run of " + step + " changed nothing");
        String script = dry.out().replaceAll(Pattern.quote(host) + "(?![\\w-])", scriptHost)
                .replaceAll(Pattern.quote(red) + "(?![\\w-])", scriptRed);
        Sandbox.Result sh = Sandbox.exec("sh", "-c", script);
        assertEquals(0, sh.code(), "the script of " + step + " runs:\n" + script + "\n" + sh.output());
        Cli.Run done = cli.run(args(step)).ok();
        String scripted = kernel(scriptHost, scriptRed);
        String made = kernel(host, red);
        for (int i = 0; daemon && i < 100 && !made.equals(scripted); i++) {
            Thread.sleep(100); // the daemon deletes a detached container's link in the background
            made = kernel(host, red);
        }
        assertEquals(made, scripted, "the script of " + step + " makes what the command makes:\n" + dry.out() + done.err());
    }

    /** {@code -n HOST STEP... MORE...}, {@code @red} standing for the container's namespace. */
    private String[] args(List<String> step, String... more) {
        List<String> out = new ArrayList<>(List.of("-n", host));
        step.forEach(a -> out.add(a.startsWith("@red") ? red + a.substring(4) : a));
        out.addAll(List.of(more));
        return out.toArray(String[]::new);
    }

    /** Every file of the state directory and its contents. */
    private static String state(Cli cli) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> all = Files.walk(cli.stateDir())) {
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                files.put(cli.stateDir().relativize(p).toString(), Files.readString(p));
            }
        }
        return files.toString();
    }

    /** The two namespaces of a copy, normalized: what a script and a command may differ in (indexes, MACs, handles, counters) left out. */
    private String kernel(String host, String red) {
        StringBuilder sb = new StringBuilder();
        for (String ns : List.of(host, red)) {
            sb.append("== ").append(ns.equals(host) ? "host" : "red").append('\n');
            List<String> names = new ArrayList<>();
            for (JsonObject l : Kernel.ip(ns, "-d", "link", "show")) {
                String name = l.get("ifname").getAsString();
                names.add(name);
                JsonObject info = l.has("linkinfo") ? l.getAsJsonObject("linkinfo") : new JsonObject();
                JsonObject slave = info.has("info_slave_data") ? info.getAsJsonObject("info_slave_data") : new JsonObject();
                sb.append("link ").append(name).append(" kind=").append(str(info, "info_kind")).append(" master=").append(str(l, "master"))
                        .append(" up=").append(l.getAsJsonArray("flags").toString().contains("\"UP\"")).append(" mtu=").append(str(l, "mtu"))
                        .append(" hairpin=").append(str(slave, "hairpin")).append('\n');
            }
            Kernel.addresses(ns, null).forEach(a -> sb.append("addr ").append(a).append('\n'));
            for (String family : List.of("-4", "-6")) {
                List<String> routes = new ArrayList<>();
                for (JsonObject r : Kernel.ip(ns, family, "route", "show")) {
                    String dst = str(r, "dst");
                    if (!dst.startsWith("fe80") && !dst.startsWith("ff")) {
                        routes.add("route " + dst + " via=" + str(r, "gateway") + " dev=" + str(r, "dev") + " metric=" + str(r, "metric")
                                + " proto=" + str(r, "protocol") + " scope=" + str(r, "scope"));
                    }
                }
                routes.stream().sorted().forEach(r -> sb.append(r).append('\n'));
            }
            StringBuilder keys = new StringBuilder("net/ipv4/ip_forward net/ipv6/conf/all/forwarding");
            for (String n : names) {
                for (String k : List.of("ipv4/conf/%s/route_localnet", "ipv6/conf/%s/disable_ipv6", "ipv6/conf/%s/accept_dad")) {
                    keys.append(" net/").append(String.format(k, n));
                }
            }
            sb.append(sandbox.execIn(ns, "sh", "-c", "for k in " + keys + "; do echo \"sysctl $k=$(cat /proc/sys/$k 2>/dev/null)\"; done").output());
            Kernel.ruleset(ns).lines().forEach(r -> sb.append("nft ").append(r.replaceAll("\\{\"packets\":\\d+,\"bytes\":\\d+}", "{}")).append('\n'));
            for (String save : List.of("iptables-save", "ip6tables-save")) {
                for (String line : sandbox.execIn(ns, save).output().split("\n")) {
                    if (!line.startsWith("#")) {
                        sb.append(save).append(' ').append(line.replaceAll("\\[\\d+:\\d+\\]", "")).append('\n');
                    }
                }
            }
        }
        return sb.toString().replaceAll(Pattern.quote(host) + "(?![\\w-])", "@host").replaceAll(Pattern.quote(red) + "(?![\\w-])", "@red");
    }

    private static String str(JsonObject o, String key) {
        JsonElement e = o == null ? null : o.get(key);
        return e == null || e.isJsonNull() ? "-" : e.isJsonPrimitive() ? e.getAsString() : e.toString();
    }
}
