package dev.patchbay.orchestrator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.ErrorCollector;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.errors.UnavailableException;
import dev.patchbay.core.firewall.Firewall;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.ipam.Allocation;
import dev.patchbay.core.ipam.AllocationRecord;
import dev.patchbay.core.ipam.AllocationRequest;
import dev.patchbay.core.ipam.Attachment;
import dev.patchbay.core.ipam.Ipam;
import dev.patchbay.core.ipam.IpamConfig;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.PortMapping;
import dev.patchbay.core.network.AttachRequest;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkContext;
import dev.patchbay.core.network.NetworkPlugin;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.NetworkStack;
import dev.patchbay.firewall.host.FirewallService;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The orchestrator over fake plugins, a fake IPAM and a fake firewall backend: the chain runs in order, a
 * failure injected at each step of an attach leaves nothing behind and undoes in reverse, teardown asks
 * every plugin and reports every error, and options are checked against what the chain declares.
 */
class ChainRollbackTest {

    /** What happened, in order, across all fakes. */
    final List<String> events = new ArrayList<>();

    /** A plugin that records its calls, contributes a network rule (and "c" the published ports), and fails where it is told to. */
    class FakePlugin implements NetworkPlugin {
        final String type;
        String failOn = "";

        FakePlugin(String type) {
            this.type = type;
        }

        private void step(String what) {
            events.add(what + ":" + type);
            if (failOn.equals(what)) {
                throw new PatchbayException(type + " failed to " + what);
            }
        }

        @Override public Map<String, String> options() { return Map.of(type + "-opt", "an option of " + type); }
        @Override public Set<String> capabilities() { return type.equals("c") ? Set.of(PORT_MAPPINGS) : Set.of(); }
        @Override public List<String> defaultChain() { return List.of("b", "c"); }
        @Override public void validate(NetworkContext ctx, List<NetworkConfig> others) { step("validate-network"); }
        @Override public void setUpNetwork(NetworkContext ctx) { step("setUpNetwork"); }
        @Override public void tearDownNetwork(NetworkContext ctx, ErrorCollector errors) { step("tearDownNetwork"); }
        @Override public void validate(NetworkContext ctx, AttachRequest request) { step("validate"); }

        @Override
        public dev.patchbay.core.network.Attachment setUp(NetworkContext ctx, AttachRequest request, dev.patchbay.core.network.Attachment previous) {
            step("setUp");
            return previous;
        }

        @Override
        public void tearDown(NetworkContext ctx, dev.patchbay.core.network.Attachment attachment, ErrorCollector errors) {
            step("tearDown");
        }

        @Override
        public void networkRules(NetworkContext ctx, List<Rule> rules) {
            rules.add(new Rule.Masquerade(IpPrefix.parse("10.9.0.0/24"), new IfName("up-" + type)));
        }

        @Override
        public void attachmentRules(NetworkContext ctx, dev.patchbay.core.network.Attachment a, List<Rule> rules) {
            if (type.equals("c")) { // the chain's port publisher
                a.ports().forEach(p -> rules.add(new Rule.PortForward(p, a.addresses().get(0).address())));
            }
        }
    }

    /** One address per owner, in memory. */
    final class FakeIpam implements Ipam {
        final Map<String, InetAddress> held = new LinkedHashMap<>();
        boolean fail;

        @Override public void validate(IpamConfig config) { }

        @Override
        public Allocation allocate(AllocationRequest r) {
            events.add("allocate");
            if (fail) {
                throw new PatchbayException("no address left");
            }
            InetAddress ip = dev.patchbay.core.model.IpAddresses.parse("ip", "10.9.0." + (2 + held.size()));
            held.put(r.ownerId() + "/" + r.ifName(), ip);
            return new Allocation(List.of(new Allocation.Address(IpPrefix.of(ip, 24), null, 0)), List.of(), null);
        }

        @Override
        public List<InetAddress> release(Path dataDir, String network, String ownerId, IfName ifName) {
            events.add("release");
            InetAddress ip = held.remove(ownerId + "/" + ifName);
            return ip == null ? List.of() : List.of(ip);
        }

        @Override public GcResult gc(Path dataDir, String network, Set<Attachment> valid, java.util.function.Predicate<InetAddress> live) {
            return new GcResult(List.of(), List.of());
        }
        @Override public List<AllocationRecord> list(Path dataDir, String network) { return List.of(); }
        @Override public List<String> networks(Path dataDir) { return List.of(); }
    }

    /** A firewall backend holding rulesets by owner. */
    final class FakeFirewall implements Firewall {
        final Map<RulesetOwner, Ruleset> held = new LinkedHashMap<>();
        boolean fail;

        @Override public String backend() { return "fake"; }
        @Override public boolean usable(NetnsRef host) { return true; }
        @Override public String render(Ruleset desired) { return desired.toString(); }
        @Override public String plan(NetnsRef host, Ruleset desired) { return render(desired); }

        @Override
        public void apply(NetnsRef host, Ruleset desired) {
            events.add("apply:" + desired.owner().id());
            if (fail) {
                throw new PatchbayException("the backend refused " + desired.owner());
            }
            held.put(desired.owner(), desired);
        }

        @Override
        public List<String> remove(NetnsRef host, RulesetOwner owner) {
            if (held.remove(owner) != null) {
                events.add("remove:" + owner.id());
            }
            return List.of();
        }

        @Override public Set<RulesetOwner> owners(NetnsRef host) { return Set.copyOf(held.keySet()); }
    }

    @TempDir
    Path dir;
    final FakePlugin a = new FakePlugin("a");
    final FakePlugin b = new FakePlugin("b");
    final FakePlugin c = new FakePlugin("c");
    final FakeIpam ipam = new FakeIpam();
    final FakeFirewall fw = new FakeFirewall();
    NetworkManager m;
    NetnsRef host;
    NetnsRef container;

    @BeforeEach
    void wire() throws Exception {
        m = new NetworkManager();
        m.stack = stack();
        m.ipam = ipam;
        FirewallService fs = new FirewallService();
        fs.add(fw, 100);
        m.firewall = fs;
        for (FakePlugin p : List.of(a, b, c)) {
            m.addPlugin(p, ref(p.type, "dev.patchbay.test." + p.type, 10, 0));
        }
        host = NetnsRef.path(Files.createFile(dir.resolve("host")));
        container = NetnsRef.path(Files.createFile(dir.resolve("c1")));
        m.networks(dir.resolve("state")).create(host, config(Map.of()), true);
        events.clear();
    }

    /**
     * A stack whose handles hold nothing and do nothing (the fake plugins never use them: an op group lists nothing);
     * identities from the namespace files.
     */
    private static NetworkStack stack() {
        NetnsHandle handle = empty(NetnsHandle.class);
        return (NetworkStack) Proxy.newProxyInstance(NetworkStack.class.getClassLoader(), new Class<?>[] {NetworkStack.class},
                (proxy, method, args) -> method.getName().equals("open") ? handle
                        : method.getName().equals("identity") ? fileIdentity((NetnsRef) args[0]) : null);
    }

    /** An object of interface {@code type} whose lists are empty, whose op groups are such objects, and nothing else. */
    private static <T> T empty(Class<T> type) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            Class<?> r = method.getReturnType();
            return r == List.class ? List.of() : r.isInterface() && r.getName().startsWith("dev.patchbay.core.spi.") ? empty(r) : null;
        }));
    }

    private static dev.patchbay.core.model.NetnsId fileIdentity(NetnsRef ref) throws java.io.IOException {
        Map<String, Object> a = Files.readAttributes(ref.path(), "unix:dev,ino");
        return new dev.patchbay.core.model.NetnsId(null, 0, (Long) a.get("dev"), (Long) a.get("ino"));
    }

    private NetworkConfig config(Map<String, String> options) {
        return new NetworkConfig("n", "a", null, IpPrefix.parse("10.9.0.0/24"), dev.patchbay.core.model.IpAddresses.parse("gw", "10.9.0.1"),
                null, null, options);
    }

    private AttachRequest request() {
        return new AttachRequest("n", "c1", container, null, List.of(), null, List.of(PortMapping.parse("8080:80/tcp")));
    }

    private Attachments attachments() {
        return m.attachments(dir.resolve("state"));
    }

    @Test
    void networkCreateRanTheDriversChainAndAppliedOneRuleset() throws Exception {
        Path state = dir.resolve("state2");
        m.networks(state).create(host, new NetworkConfig("m", "a", null, IpPrefix.parse("10.8.0.0/24"), null, null, null, Map.of()), true);
        assertEquals(List.of("validate-network:a", "validate-network:b", "validate-network:c",
                "setUpNetwork:a", "setUpNetwork:b", "setUpNetwork:c", "apply:net:m"), events);
        assertEquals(3, fw.held.get(RulesetOwner.of("net:m")).rules().size(), "every plugin's network rules in one ruleset");
        assertEquals(List.of("a", "b", "c"), m.networks(state).inspect("m").config().chain());
    }

    @Test
    void attachRunsTheChainInOrderAndAppliesTheAttachmentsRulesOnce() {
        attachments().attach(host, request());
        assertEquals(List.of("validate:a", "validate:b", "validate:c", "allocate", "setUp:a", "setUp:b", "setUp:c", "apply:att:n/c1"), events);
        assertEquals(1, attachments().list("n").size());
        events.clear();
        attachments().detach(host, "n", "c1");
        assertEquals(List.of("remove:att:n/c1", "tearDown:c", "tearDown:b", "tearDown:a", "release"), events);
    }

    /** Fail at each step of an attach in turn: each time nothing is left, and what was done is undone in reverse. */
    @Test
    void aFailureAtAnyStepOfAnAttachLeavesNothingBehind() {
        List<List<String>> expected = List.of(
                List.of("allocate"),
                List.of("allocate", "setUp:a", "tearDown:a", "release"),
                List.of("allocate", "setUp:a", "setUp:b", "tearDown:b", "tearDown:a", "release"),
                List.of("allocate", "setUp:a", "setUp:b", "setUp:c", "tearDown:c", "tearDown:b", "tearDown:a", "release"),
                List.of("allocate", "setUp:a", "setUp:b", "setUp:c", "apply:att:n/c1", "tearDown:c", "tearDown:b", "tearDown:a", "release"));
        for (int step = 0; step < expected.size(); step++) {
            ipam.fail = step == 0;
            a.failOn = step == 1 ? "setUp" : "";
            b.failOn = step == 2 ? "setUp" : "";
            c.failOn = step == 3 ? "setUp" : "";
            fw.fail = step == 4;
            events.clear();
            assertThrows(PatchbayException.class, () -> attachments().attach(host, request()), "step " + step);
            List<String> seen = events.stream().filter(e -> !e.startsWith("validate")).toList();
            assertEquals(expected.get(step), seen, "step " + step);
            assertTrue(ipam.held.isEmpty(), "step " + step + ": no address left reserved");
            assertTrue(fw.held.keySet().stream().noneMatch(o -> o.id().startsWith("att:")), "step " + step + ": no attachment rules left");
            assertTrue(attachments().list("n").isEmpty(), "step " + step + ": no attachment recorded");
            assertTrue(Journal.pending(dir.resolve("state")).isEmpty(), "step " + step + ": nothing left in flight");
        }
        ipam.fail = false;
        fw.fail = false;
        a.failOn = b.failOn = c.failOn = "";
        attachments().attach(host, request()); // and the container attaches fine afterwards
    }

    /** An undo that leaves something (a plugin's link would not go): the address stays reserved, the entry for gc. */
    @Test
    void anAttachWhoseUndoLeavesSomethingKeepsItsAddressAndNamesGc() {
        c.failOn = "setUp";
        a.failOn = "tearDown";
        PatchbayException e = assertThrows(PatchbayException.class, () -> attachments().attach(host, request()));
        assertTrue(e.getMessage().startsWith("c failed to setUp") && e.getMessage().contains("a failed to tearDown")
                && e.getMessage().endsWith("patchbay gc finishes undoing it"), e.getMessage());
        assertEquals(1, e.exitCode());
        assertFalse(events.contains("release"), "no release while a link may hold the address: " + events);
        assertEquals(1, ipam.held.size());
        assertTrue(attachments().list("n").isEmpty(), "not attached");
        assertEquals(1, Journal.pending(dir.resolve("state")).size(), "the entry stays for gc");
    }

    @Test
    void teardownAsksEveryPluginAndReportsEveryError() {
        attachments().attach(host, request());
        a.failOn = "tearDown";
        c.failOn = "tearDown";
        events.clear();
        PatchbayException e = assertThrows(PatchbayException.class, () -> attachments().detach(host, "n", "c1"));
        assertEquals(List.of("remove:att:n/c1", "tearDown:c", "tearDown:b", "tearDown:a"), events,
                "its addresses stay reserved while a link that may hold them is left");
        assertTrue(e.getMessage().contains("2 errors") && e.getMessage().contains("c failed to tearDown")
                && e.getMessage().contains("a failed to tearDown"), e.getMessage());
        assertEquals(1, attachments().list("n").size(), "kept until its teardown succeeds (gc retries)");
        assertEquals(1, ipam.held.size(), "and so is its address");
        a.failOn = c.failOn = "";
        attachments().detach(host, "n", "c1");
        assertTrue(attachments().list("n").isEmpty());
        assertTrue(ipam.held.isEmpty(), "released with the rest");
    }

    @Test
    void optionsMustBeDeclaredByTheChain() {
        Path state = dir.resolve("state3");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> m.networks(state).create(host, new NetworkConfig("o", "a", null, IpPrefix.parse("10.7.0.0/24"), null, null, null,
                        Map.of("bridge", "br0")), true));
        assertEquals("opt", e.field());
        assertTrue(e.getMessage().contains("\"bridge\"") && e.getMessage().contains("driver \"a\"")
                && e.getMessage().contains("a-opt, b-opt, c-opt"), e.getMessage());
        m.networks(state).create(host, new NetworkConfig("o", "a", null, IpPrefix.parse("10.7.0.0/24"), null, null, null,
                Map.of("c-opt", "x")), true);
    }

    @Test
    void aMissingPluginIsNamedAndRefusesAttachesButKeepsAttachmentsListed() {
        attachments().attach(host, request());
        m.removePlugin(b, ref("b", "dev.patchbay.test.b", 10, 0));
        UnavailableException e = assertThrows(UnavailableException.class, () -> attachments().attach(host,
                new AttachRequest("n", "c2", container, new IfName("eth1"), List.of(), null, List.of())));
        assertTrue(e.getMessage().contains("no network plugin \"b\" is installed"), e.getMessage());
        assertEquals(1, attachments().list("n").size());
        m.addPlugin(b, ref("b", "dev.patchbay.test.b", 10, 0));
        attachments().detach(host, "n", "c1");
    }

    /** A service reference of a plugin {@code type} registered by bundle {@code bsn} 1.0.0 (id {@code id}) with a ranking. */
    static org.osgi.framework.ServiceReference<NetworkPlugin> ref(String type, String bsn, long id, int ranking) {
        return ref(type, bsn, id, ranking, Map.of());
    }

    /** The same, with more service properties (a plugin's role, flags, ...). */
    @SuppressWarnings("unchecked")
    static org.osgi.framework.ServiceReference<NetworkPlugin> ref(String type, String bsn, long id, int ranking, Map<String, Object> more) {
        org.osgi.framework.Bundle bundle = (org.osgi.framework.Bundle) Proxy.newProxyInstance(ChainRollbackTest.class.getClassLoader(),
                new Class<?>[] {org.osgi.framework.Bundle.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getSymbolicName" -> bsn;
                    case "getVersion" -> new org.osgi.framework.Version(1, 0, 0);
                    case "getBundleId" -> id;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> null;
                });
        return (org.osgi.framework.ServiceReference<NetworkPlugin>) Proxy.newProxyInstance(ChainRollbackTest.class.getClassLoader(),
                new Class<?>[] {org.osgi.framework.ServiceReference.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getProperty" -> args[0].equals(NetworkPlugin.TYPE) ? type
                            : args[0].equals(org.osgi.framework.Constants.SERVICE_RANKING) ? Integer.valueOf(ranking) : more.get(args[0]);
                    case "getBundle" -> bundle;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> null;
                });
    }

    @Test
    void aPluginsBugIsNamedWithItsBundleAndTheStepAndUndone() {
        FakePlugin buggy = new FakePlugin("b") {
            @Override
            public dev.patchbay.core.network.Attachment setUp(NetworkContext ctx, AttachRequest request, dev.patchbay.core.network.Attachment previous) {
                events.add("setUp:buggy");
                throw new NullPointerException("a bug of its own");
            }
        };
        m.removePlugin(b, ref("b", "dev.patchbay.test.b", 10, 0));
        m.addPlugin(buggy, ref("b", "dev.patchbay.test.buggy", 11, 0));
        PatchbayException e = assertThrows(PatchbayException.class, () -> attachments().attach(host, request()));
        assertEquals(1, e.exitCode(), "a failure, not an internal error");
        assertEquals("plugin \"b\" (dev.patchbay.test.buggy 1.0.0) failed to set up \"c1\" on network \"n\": "
                + "java.lang.NullPointerException: a bug of its own", e.getMessage());
        assertEquals(List.of("validate:a", "validate:b", "validate:c", "allocate", "setUp:a", "setUp:buggy", "tearDown:b", "tearDown:a", "release"),
                events, "what was set up is undone, the failing plugin's part too");
        assertTrue(attachments().list("n").isEmpty());
    }

    @Test
    void ofTwoProvidersOfOneTypePatchbaysOwnThenTheHighestRankingThenTheFirstBundleServes() {
        FakePlugin other = new FakePlugin("b") {
            @Override
            public void validate(NetworkContext ctx, AttachRequest request) {
                events.add("validate:other");
            }
        };
        m.addPlugin(other, ref("b", "dev.patchbay.test.other", 5, 0)); // installed before the first one: it wins a tie
        attachments().attach(host, request());
        assertTrue(events.contains("validate:other") && !events.contains("validate:b"), events.toString());
        attachments().detach(host, "n", "c1");
        events.clear();
        m.addPlugin(b, ref("b", "dev.patchbay.test.b", 10, 5)); // a higher ranking wins over the lower bundle id
        attachments().attach(host, request());
        assertTrue(events.contains("validate:b") && !events.contains("validate:other"), events.toString());
        attachments().detach(host, "n", "c1");
        events.clear();
        m.addPlugin(other, ref("b", "dev.patchbay.plugin.bridge", 50, -10)); // Patchbay's own wins over any ranking
        attachments().attach(host, request());
        assertTrue(events.contains("validate:other") && !events.contains("validate:b"), events.toString());
    }
}
