package dev.patchbay.orchestrator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.ErrorCollector;
import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.errors.UnavailableException;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.network.AttachRequest;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkContext;
import dev.patchbay.core.network.NetworkPlugin;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link Chain} on its own, over plugins that record their calls: set-ups in order and a failure undone in reverse from
 * the failing plugin (given what the chain had made so far), teardowns of every plugin in reverse whatever fails, the
 * errors a plugin collects itself passed on, rules gathered in chain order, a missing plugin named before anything.
 */
class ChainTest {
    final List<String> calls = new ArrayList<>();
    final NetworkConfig config = new NetworkConfig("n", "a", List.of("b", "c"), IpPrefix.parse("10.9.0.0/24"),
            IpAddresses.parse("gw", "10.9.0.1"), null, null, Map.of());
    final NetworkContext ctx = new NetworkContext(null, null, config, null);
    final AttachRequest request = new AttachRequest("n", "c1", NetnsRef.named("c1"), null, List.of(), null, List.of());
    final Attachment first = Unplug.stub(config, "c1", new IfName("eth0"));

    /** Records {@code STEP:TYPE}; fails {@code failOn} (a PatchbayException, or a bug when {@code bug}); its set-up names itself in hostIf. */
    class Recorder implements NetworkPlugin {
        final String type;
        String failOn = "";
        boolean bug;
        /** What its teardown reports through the collector it is given (a part it could not undo), not by throwing. */
        String collects;

        Recorder(String type) {
            this.type = type;
        }

        private void step(String what) {
            step(what, what + ":" + type);
        }

        private void step(String what, String call) {
            calls.add(call);
            if (failOn.equals(what)) {
                throw bug ? new IllegalStateException(type + " broke") : new PatchbayException(type + " failed to " + what);
            }
        }

        @Override public Set<String> capabilities() { return type.equals("c") ? Set.of(PORT_MAPPINGS) : Set.of(); }
        @Override public void validate(NetworkContext c, List<NetworkConfig> others) { step("validate-network"); }
        @Override public void setUpNetwork(NetworkContext c) { step("setUpNetwork"); }
        @Override public void validate(NetworkContext c, AttachRequest r) { step("validate"); }

        @Override
        public void tearDownNetwork(NetworkContext c, ErrorCollector errors) {
            step("tearDownNetwork");
        }

        @Override
        public Attachment setUp(NetworkContext c, AttachRequest r, Attachment previous) {
            step("setUp", "setUp:" + type + " given " + previous.hostIf());
            return new Attachment(previous.network(), previous.containerId(), previous.netnsPath(), previous.ifName(),
                    new IfName("by-" + type), previous.mac(), previous.addresses(), previous.ports());
        }

        @Override
        public void tearDown(NetworkContext c, Attachment a, ErrorCollector errors) {
            if (collects != null) {
                errors.run(collects, () -> {
                    throw new PatchbayException("busy");
                });
            }
            step("tearDown", "tearDown:" + type + " of " + a.hostIf());
        }

        @Override
        public void networkRules(NetworkContext c, List<Rule> rules) {
            rules.add(new Rule.Masquerade(config.subnet(), new IfName("up-" + type)));
        }
    }

    final Recorder a = new Recorder("a");
    final Recorder b = new Recorder("b");
    final Recorder c = new Recorder("c");

    private Chain chain(NetworkPlugin... plugins) {
        List<String> types = Arrays.stream(plugins).map(p -> p instanceof Recorder r ? r.type : "m").toList();
        return new Chain(types, List.of(plugins), types.stream().map(t -> "dev.patchbay.test." + t + " 1.0.0").toList());
    }

    @Test
    void aFailedNetworkSetUpTearsDownTheFailingPluginAndThoseBeforeItInReverse() {
        b.failOn = "setUpNetwork";
        a.failOn = "tearDownNetwork";
        PatchbayException e = assertThrows(PatchbayException.class, () -> chain(a, b, c).setUpNetwork(ctx));
        assertEquals("b failed to setUpNetwork", e.getMessage(), "the first failure is the one thrown");
        assertEquals(List.of("setUpNetwork:a", "setUpNetwork:b", "tearDownNetwork:b", "tearDownNetwork:a"), calls,
                "c never started, so it is not torn down");
        assertEquals(1, e.getSuppressed().length, "what the undo could not do rides along");
        assertTrue(e.getSuppressed()[0].getMessage().contains("a failed to tearDownNetwork"), e.getSuppressed()[0].getMessage());
    }

    @Test
    void aFailedAttachSetUpIsUndoneFromTheFailingPluginWithWhatTheChainHadMadeSoFar() {
        c.failOn = "setUp";
        assertThrows(PatchbayException.class, () -> chain(a, b, c).setUp(ctx, request, first));
        assertEquals(List.of("setUp:a given null", "setUp:b given by-a", "setUp:c given by-b",
                "tearDown:c of by-b", "tearDown:b of by-b", "tearDown:a of by-b"), calls);
    }

    @Test
    void eachSetUpIsGivenThePreviousOnesAttachmentAndTheLastOneIsReturned() {
        Attachment made = chain(a, b, c).setUp(ctx, request, first);
        assertEquals(new IfName("by-c"), made.hostIf());
        assertEquals(List.of("setUp:a given null", "setUp:b given by-a", "setUp:c given by-b"), calls);
    }

    @Test
    void teardownAsksEveryPluginInReverseAndKeepsWhatEachCollectedItself() {
        b.collects = "delete the veth";
        a.failOn = "tearDown";
        c.failOn = "tearDown";
        ErrorCollector errors = new ErrorCollector();
        chain(a, b, c).tearDown(ctx, first, errors);
        assertEquals(List.of("tearDown:c of null", "tearDown:b of null", "tearDown:a of null"), calls);
        List<String> said = errors.errors().stream().map(Throwable::getMessage).toList();
        assertEquals(3, said.size(), said.toString());
        assertTrue(said.get(0).startsWith("failed to c: unplug \"c1\": c failed to tearDown"), said.get(0));
        assertTrue(said.get(1).contains("unplug \"c1\" (b)") && said.get(1).contains("delete the veth"), said.get(1));
        assertTrue(said.get(2).startsWith("failed to a: unplug \"c1\""), said.get(2));
    }

    @Test
    void aPluginsBugIsNamedWithItsBundleAndTheStep() {
        b.failOn = "validate";
        b.bug = true;
        PatchbayException e = assertThrows(PluginCalls.PluginFailure.class, () -> chain(a, b, c).validate(ctx, request));
        assertEquals("plugin \"b\" (dev.patchbay.test.b 1.0.0) failed to validate the attach of \"c1\": "
                + "java.lang.IllegalStateException: b broke", e.getMessage());
        assertTrue(e.getCause() instanceof IllegalStateException);
        assertEquals(List.of("validate:a", "validate:b"), calls, "validation stops at the first refusal");
    }

    @Test
    void aPluginsOwnErrorPassesUnchanged() {
        a.failOn = "validate";
        PatchbayException thrown = assertThrows(PatchbayException.class, () -> chain(a, b).validate(ctx, request));
        assertFalse(thrown instanceof PluginCalls.PluginFailure);
        assertEquals("a failed to validate", thrown.getMessage());
    }

    @Test
    void networkRulesAreGatheredInChainOrder() {
        List<Rule> rules = chain(a, b, c).networkRules(ctx);
        assertEquals(List.of("up-a", "up-b", "up-c"), rules.stream().map(r -> ((Rule.Masquerade) r).uplink().value()).toList());
    }

    @Test
    void servesAsksEveryPluginButNeedsAllInstalled() {
        assertTrue(chain(a, c).serves(NetworkPlugin.PORT_MAPPINGS));
        assertFalse(chain(a, b).serves(NetworkPlugin.PORT_MAPPINGS));
        MissingPlugin missing = new MissingPlugin(false, () -> new UnavailableException("no network plugin \"m\" is installed"));
        Chain withHole = chain(a, missing, c);
        UnavailableException e = assertThrows(UnavailableException.class, () -> withHole.serves(NetworkPlugin.PORT_MAPPINGS));
        assertEquals("no network plugin \"m\" is installed", e.getMessage());
        assertThrows(UnavailableException.class, withHole::requireInstalled);
        chain(a, b, c).requireInstalled();
    }

    @Test
    void whoNamesTheTypeAndTheBundle() {
        assertEquals("plugin \"b\" (dev.patchbay.test.b 1.0.0)", chain(a, b).who(1));
    }

    @Test
    void aTeardownOfAChainWithAMissingPluginStillAsksTheOthers() {
        MissingPlugin missing = new MissingPlugin(false, () -> new UnavailableException("no network plugin \"m\" is installed"));
        ErrorCollector errors = new ErrorCollector();
        chain(a, missing, c).tearDown(ctx, first, errors);
        assertEquals(List.of("tearDown:c of null", "tearDown:a of null"), calls);
        assertTrue(errors.isEmpty(), "a chained plugin that is missing has nothing recorded to undo");
    }
}
