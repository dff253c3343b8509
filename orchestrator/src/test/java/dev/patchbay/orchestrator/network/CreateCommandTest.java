package dev.patchbay.orchestrator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkContext;
import dev.patchbay.core.network.NetworkPlugin;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code network create} over the fake host, as the launcher mounts it: its plugin flags, its default driver and the
 * roles of its plugins come from the installed plugins' service properties, none from the orchestrator.
 */
class CreateCommandTest {
    @TempDir
    Path dir;
    FakeHost h;
    final Chained firewall = new Chained(Map.of("masquerade", "true: masquerade the subnets (default: false)", "uplink", "masquerade only out of it"));
    final Chained shaper = new Chained(Map.of("rate", "bits a second"));

    /** A plugin that only adds to a driver's network and takes {@code options}. */
    static final class Chained implements NetworkPlugin {
        final Map<String, String> options;

        Chained(Map<String, String> options) {
            this.options = options;
        }

        @Override public Map<String, String> options() { return options; }
        @Override public void validate(NetworkContext ctx, List<NetworkConfig> others) { }
    }

    @BeforeEach
    void host() {
        h = new FakeHost(dir);
        h.driver.defaultChain = List.of("firewall");
        h.m.removePlugin(h.driver, ChainRollbackTest.ref("bridge", "dev.patchbay.test.bridge", 10, 0));
        h.m.addPlugin(h.driver, ChainRollbackTest.ref("bridge", "dev.patchbay.test.bridge", 10, 0,
                Map.of(NetworkPlugin.DEFAULT_DRIVER, Boolean.TRUE, NetworkPlugin.FLAGS, "bridge=BR")));
        h.m.addPlugin(firewall, ChainRollbackTest.ref("firewall", "dev.patchbay.test.nat", 11, 0, Map.of(NetworkPlugin.ROLE,
                NetworkPlugin.CHAINED, NetworkPlugin.FLAGS, new String[] {"masquerade", "uplink=IF", "Bad Key", "subnet=X"})));
        h.m.addPlugin(shaper, ChainRollbackTest.ref("shaper", "dev.patchbay.test.shaper", 12, 0, Map.of(NetworkPlugin.ROLE,
                NetworkPlugin.CHAINED, NetworkPlugin.FLAGS, List.of("rate=BPS"))));
        h.ipam.prefixes.put("n", "10.9.0.");
    }

    /** The launcher's root command, for its global options. */
    @Command(name = "patchbay")
    static final class Root {
        @Option(names = "--namespace", scope = ScopeType.INHERIT) String namespace;
        @Option(names = "--output", scope = ScopeType.INHERIT) String output;
        @Option(names = "--state-dir", scope = ScopeType.INHERIT) String stateDir;
    }

    record Run(int code, String out, String err) {
        JsonObject json() {
            return JsonParser.parseString(out).getAsJsonObject();
        }
    }

    /** A command line as the launcher builds it: a fresh network command of the installed plugins under the root. */
    CommandLine commandLine() {
        NetworkCommand network = new NetworkCommand();
        network.manager = h.m;
        CommandLine root = new CommandLine(new Root());
        root.addSubcommand("network", new CommandLine(network));
        root.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println(e.getMessage());
            return e instanceof PatchbayException p ? p.exitCode() : 4;
        });
        return root;
    }

    Run run(CommandLine cli, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        List<String> all = new java.util.ArrayList<>(List.of("--namespace", h.host().path().toString(), "--state-dir", h.state().toString(),
                "--output", "json", "network", "create"));
        all.addAll(List.of(args));
        int code = cli.execute(all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    Run run(String... args) {
        return run(commandLine(), args);
    }

    @Test
    void helpShowsTheFlagsTheInstalledPluginsDeclareAndTheDefaultDriver() {
        String help = run("--help").out().replaceAll("\\s+", " "); // as one line, whatever picocli wraps
        assertTrue(help.contains("--masquerade") && help.contains("Masquerade the subnets (default: false). Same as --opt masquerade=true (firewall)."), help);
        assertTrue(help.contains("--uplink=IF") && help.contains("Same as --opt uplink=IF (firewall)."), help);
        assertTrue(help.contains("--rate=BPS") && help.contains("Bits a second. Same as --opt rate=BPS (shaper)."), help);
        assertTrue(help.contains("--bridge=BR") && help.contains("(default: bridge,"), help);
        assertFalse(help.contains("Bad Key") || help.contains("--subnet=X"), "no flag of a key that is no option's, none of create's own: " + help);
    }

    @Test
    void aFlagIsTheOptionItNamesOnTheDefaultDriver() {
        Run r = run("n", "--subnet", "10.9.0.0/24", "--masquerade", "--uplink", "up0", "--bridge", "br9");
        assertEquals(0, r.code(), r.err());
        JsonObject n = r.json();
        assertEquals("bridge", n.get("driver").getAsString());
        assertEquals("[\"firewall\"]", n.get("plugins").toString());
        assertEquals("{\"bridge\":\"br9\",\"masquerade\":\"true\",\"uplink\":\"up0\"}", n.get("options").toString());
        assertTrue(h.kernel(h.host()).link("br9").isPresent());
    }

    @Test
    void aCommandLineRunAgainForgetsTheFlagsOfTheRunBefore() {
        CommandLine cli = commandLine();
        assertEquals(0, run(cli, "n", "--subnet", "10.9.0.0/24", "--masquerade", "--uplink", "up0").code());
        h.ipam.prefixes.put("m", "10.8.0.");
        Run again = run(cli, "m", "--subnet", "10.8.0.0/24");
        assertEquals(0, again.code(), again.err());
        assertEquals("{\"bridge\":\"pb-m\"}", again.json().get("options").toString());
    }

    @Test
    void aFlagAndAnOptionThatContradictItAreRefused() {
        Run r = run("n", "--subnet", "10.9.0.0/24", "--masquerade", "--opt", "masquerade=false");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("invalid opt masquerade \"false\": contradicts --masquerade true"), r.err());
    }

    /** A plugin's per-attachment options are flags of attach and network connect: --rate V is --opt rate=V. */
    @Test
    void attachAndConnectTakeThePluginsPerAttachmentOptionsAsFlags() {
        h.m.removePlugin(shaper, ChainRollbackTest.ref("shaper", "dev.patchbay.test.shaper", 12, 0));
        h.m.addPlugin(shaper, ChainRollbackTest.ref("shaper", "dev.patchbay.test.shaper", 12, 0, Map.of(NetworkPlugin.ROLE,
                NetworkPlugin.CHAINED, NetworkPlugin.ATTACH_OPTIONS, new String[] {"rate"})));
        assertEquals(0, run("n", "--subnet", "10.9.0.0/24", "--chain", "+shaper").code());
        CommandLine cli = commandLine();
        AttachCommand attach = new AttachCommand();
        attach.manager = h.m;
        cli.addSubcommand("attach", new CommandLine(attach));
        String c1 = h.namespace("c1").path().toString();
        Run help = runAt(cli, "attach", "--help");
        assertTrue(help.out().replaceAll("\\s+", " ").contains("--rate=VALUE Bits a second. Same as --opt rate=VALUE (shaper)."), help.out());
        Run a = runAt(cli, "attach", "n", "--path", c1, "--id", "c1", "--rate", "500");
        assertEquals(0, a.code(), a.err());
        assertEquals("{\"rate\":\"500\"}", a.json().get("options").toString());
        Run clash = runAt(cli, "attach", "n", "--path", h.namespace("c2").path().toString(), "--id", "c2", "--rate", "500", "--opt", "rate=600");
        assertEquals(2, clash.code(), clash.err());
        assertTrue(clash.err().contains("invalid opt rate \"600\": contradicts --rate 500"), clash.err());
        Run connect = runAt(cli, "network", "connect", "n", "--path", h.namespace("c3").path().toString(), "--id", "c3", "--rate", "700");
        assertEquals(0, connect.code(), connect.err());
        assertEquals("{\"rate\":\"700\"}", connect.json().get("options").toString());
    }

    /** Runs {@code args} under the root, with its global options. */
    Run runAt(CommandLine cli, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        List<String> all = new java.util.ArrayList<>(List.of("--namespace", h.host().path().toString(), "--state-dir", h.state().toString(),
                "--output", "json"));
        all.addAll(List.of(args));
        return new Run(cli.execute(all.toArray(String[]::new)), out.toString(), err.toString());
    }

    /** A plugin's create default (Docker's isolated networks): set when left out, the operator's value wins, only for its chain. */
    @Test
    void aPluginsCreateDefaultIsSetWhenLeftOutAndTheOperatorsValueWins() {
        h.m.removePlugin(firewall, ChainRollbackTest.ref("firewall", "dev.patchbay.test.nat", 11, 0));
        h.m.addPlugin(firewall, ChainRollbackTest.ref("firewall", "dev.patchbay.test.nat", 11, 0, Map.of(NetworkPlugin.ROLE,
                NetworkPlugin.CHAINED, NetworkPlugin.FLAGS, "masquerade", NetworkManager.CREATE_DEFAULTS, "masquerade=true")));
        Run d = run("n", "--subnet", "10.9.0.0/24");
        assertEquals(0, d.code(), d.err());
        assertEquals("{\"bridge\":\"pb-n\",\"masquerade\":\"true\"}", d.json().get("options").toString());
        h.ipam.prefixes.put("m", "10.8.0.");
        Run off = run("m", "--subnet", "10.8.0.0/24", "--opt", "masquerade=false");
        assertEquals("{\"bridge\":\"pb-m\",\"masquerade\":\"false\"}", off.json().get("options").toString());
        h.ipam.prefixes.put("o", "10.7.0.");
        Run without = run("o", "--subnet", "10.7.0.0/24", "--chain", "");
        assertEquals("{\"bridge\":\"pb-o\"}", without.json().get("options").toString(), "not in its chain: not its default");
        h.driver.defaultChain = List.of(); // a driver that chains nothing by default (as macvlan): its habits are not the plugin's
        h.ipam.prefixes.put("p", "10.6.0.");
        Run asked = run("p", "--subnet", "10.6.0.0/24", "--chain", "firewall");
        assertEquals("{\"bridge\":\"pb-p\"}", asked.json().get("options").toString(), "chained by --chain only: no default");
    }

    @Test
    void aFlagWhosePluginIsNotInstalledIsUnknown() {
        h.m.removePlugin(firewall, ChainRollbackTest.ref("firewall", "dev.patchbay.test.nat", 11, 0));
        Run r = run("n", "--subnet", "10.9.0.0/24", "--driver", "bridge", "--chain", "", "--masquerade");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("Unknown option: '--masquerade'"), r.err());
        assertFalse(run("--help").out().contains("--masquerade"));
    }

    @Test
    void aChainedOnlyPluginCannotDriveANetworkAndNothingIsMade() {
        String before = h.stack().calls() + "|" + h.networks().list();
        Run r = run("n", "--subnet", "10.9.0.0/24", "--driver", "shaper");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("invalid driver \"shaper\": is a chained plugin (patchbay.plugin.role=chained)"), r.err());
        assertEquals(before, h.stack().calls() + "|" + h.networks().list());
    }

    @Test
    void withNoDefaultDriverInstalledTheDriverMustBeNamed() {
        h.m.removePlugin(h.driver, ChainRollbackTest.ref("bridge", "dev.patchbay.test.bridge", 10, 0));
        h.m.addPlugin(h.driver, ChainRollbackTest.ref("bridge", "dev.patchbay.test.bridge", 10, 0));
        Run r = run("n", "--subnet", "10.9.0.0/24");
        assertEquals(3, r.code(), r.err());
        assertTrue(r.err().contains("no network driver is the default: name one with --driver"), r.err());
        assertEquals(0, run("n", "--subnet", "10.9.0.0/24", "--driver", "bridge").code());
    }

    @Test
    void plusAddsToTheDriversOwnChainAndPlainReplacesIt() {
        Run added = run("n", "--subnet", "10.9.0.0/24", "--chain", "+shaper", "--rate", "1000");
        assertEquals(0, added.code(), added.err());
        assertEquals("[\"firewall\",\"shaper\"]", added.json().get("plugins").toString());
        assertEquals("{\"bridge\":\"pb-n\",\"rate\":\"1000\"}", added.json().get("options").toString());
        h.ipam.prefixes.put("m", "10.8.0.");
        Run replaced = run("m", "--subnet", "10.8.0.0/24", "--chain", "shaper");
        assertEquals(0, replaced.code(), replaced.err());
        assertEquals("[\"shaper\"]", replaced.json().get("plugins").toString());
        Run mixed = run("o", "--subnet", "10.7.0.0/24", "--chain", "+shaper,firewall");
        assertEquals(2, mixed.code(), mixed.err());
        assertTrue(mixed.err().contains("invalid chain \"+shaper,firewall\": mixes +TYPE"), mixed.err());
    }
}
