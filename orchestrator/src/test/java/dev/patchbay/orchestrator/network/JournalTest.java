package dev.patchbay.orchestrator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.ipam.Ipam;
import dev.patchbay.state.StateLog;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The journal: an entry is written before an operation changes anything and forgotten when it ends; what a process
 * that dies mid-step leaves (the entry, and the steps it took) is what gc replays; lines that cannot be used are named,
 * skipped and removed on repair; a log of a network that is gone does not outlive its last entry.
 */
class JournalTest extends OneContainer {

    /** The process dying where it stands: no catch of the orchestrator's undoes it (they catch RuntimeException). */
    static final class Crash extends Error {
        private static final long serialVersionUID = 1L;
    }

    /** The IPAM, but the process dies right after {@code method} returned. */
    private void dieAfter(String method) {
        Ipam real = h.ipam;
        h.m.ipam = (Ipam) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Ipam.class}, (proxy, m, args) -> {
            Object r;
            try {
                r = m.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (m.getName().equals(method)) {
                h.m.ipam = real; // a new process: the IPAM works again
                throw new Crash();
            }
            return r;
        });
    }

    private String hostId() {
        return h.store().network("n").orElseThrow().hostNetns();
    }

    @Test
    void anAttachThatDiesAfterItsAddressIsTakenLeavesItsEntryAndGcGivesTheAddressBack() {
        dieAfter("allocate");
        assertThrows(Crash.class, () -> h.attach("n", "c2"));
        List<Journal.Entry> left = Journal.pending(h.state);
        assertEquals(1, left.size());
        Journal.Entry e = left.get(0);
        assertEquals("attach", e.op());
        assertEquals("c2", e.containerId());
        assertEquals(hostId(), e.hostNetns());
        assertEquals(List.of("ipam", "chain", "rules"), e.steps().stream().map(Journal.Step::kind).toList(), "every step it may take, named up front");
        assertEquals(Map.of("ifname", "eth0"), e.steps().get(0).data(), "with what undoing it needs");
        assertTrue(h.ipam.held.containsKey("n/c2/eth0"), "the address it took is still reserved");
        assertTrue(h.attachments().find("n", "c2").isEmpty(), "no record: the attach had not happened");

        Recovery.Report r = h.recovery().run(h.host);
        assertEquals(List.of("attach n/c2"), r.recovered(), r.toString());
        assertFalse(h.ipam.held.containsKey("n/c2/eth0"));
        assertEquals(List.of(), Journal.pending(h.state));
        assertEquals(List.of(c1), h.attachments().list("n"), "c1 untouched");
    }

    @Test
    void aDetachThatDiesBeforeReleasingLeavesItsRecordAndGcFinishesIt() {
        h.attachments().publish(h.host, "n", "c1", List.of(dev.patchbay.core.model.PortMapping.parse("8080:80/tcp")), true);
        dieAfter("release");
        assertThrows(Crash.class, () -> h.attachments().detach(h.host, "n", "c1"));
        assertEquals("detach", Journal.pending(h.state).get(0).op());
        assertTrue(kernel().link(c1.hostIf().value()).isEmpty(), "its link was deleted before the process died");
        assertFalse(h.fw.held.containsKey(RulesetOwner.of("att:n/c1")), "and its rules removed");
        assertTrue(h.attachments().find("n", "c1").isPresent(), "its record is still there");

        Recovery.Report r = h.recovery().run(h.host);
        assertEquals(List.of("detach n/c1"), r.recovered(), r.toString());
        assertTrue(h.attachments().find("n", "c1").isEmpty());
        assertTrue(h.ipam.held.isEmpty());
        assertEquals(List.of(), Journal.pending(h.state));
        assertTrue(kernel().link(c1.hostIf().value()).isEmpty(), "a finished detach plugs nothing in again");
    }

    @Test
    void anEntryIsForgottenWhenItsOperationEndsAndALogOfAGoneNetworkGoesWithIt() {
        Journal j = h.store().lockNetwork("n", () -> Journal.begin(h.state, "detach", "n", "c1", hostId(), List.of()));
        Journal.Entry e = Journal.pending(h.state).get(0);
        assertTrue(e.id().matches("detach-[0-9a-f]+-[0-9]+-[0-9]+"), e.id());
        assertTrue(h.store().lockNetwork("n", () -> Journal.exists(h.state, e)));
        h.store().lockNetwork("n", () -> {
            j.done();
            return null;
        });
        assertFalse(Journal.exists(h.state, e));
        assertTrue(Files.exists(h.state.resolve("journal/n.log")), "the network exists: its log stays");

        Journal other = Journal.begin(h.state, "create", "gone", null, hostId(), List.of());
        assertTrue(Files.exists(h.state.resolve("journal/gone.log")));
        other.done();
        assertFalse(Files.exists(h.state.resolve("journal/gone.log")), "a network never made leaves no log");
        assertNotEquals(Journal.newId("x"), Journal.newId("x"));
    }

    @Test
    void aLineThatIsNoOperationIsSkippedNamedAndRemovedOnRepairKeepingACopy() throws Exception {
        Journal.begin(h.state, "attach", "n", "c2", hostId(), List.of(Journal.Step.of("ipam", Map.of("ifname", "eth0"))));
        StateLog.shared(h.state.resolve("journal/n.log"), Map.of("network", "n")).put("stray", "{\"op\":\"attach\"}");
        Files.writeString(h.state.resolve("journal/n.log"), "this is no line of a log\n", StandardOpenOption.APPEND);
        StateLog.unshare(h.state.resolve("journal/n.log"));

        assertEquals(List.of("c2"), Journal.pending(h.state).stream().map(Journal.Entry::containerId).toList(),
                "what can be used is used, the rest blocks nothing");
        List<String> problems = Journal.damage(h.state).get("n");
        assertNotNull(problems);
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("entry \"stray\" is no operation")), problems.toString());

        Path copy = h.store().lockNetwork("n", () -> Journal.repair(h.state, "n"));
        assertNotNull(copy);
        assertTrue(copy.getFileName().toString().startsWith("n.log.damaged-"), copy.toString());
        assertTrue(Files.readString(copy).contains("this is no line of a log"), "the damaged file kept as it was");
        assertEquals(Map.of(), Journal.damage(h.state));
        assertEquals(List.of("c2"), Journal.pending(h.state).stream().map(Journal.Entry::containerId).toList(), "the good entry stays");
        assertNull(h.store().lockNetwork("n", () -> Journal.repair(h.state, "n")), "a whole log is left as it is");
    }

    @Test
    void anEntryOfAnEarlierReleaseAsItsOwnFileIsReadAndForgottenByDeletingIt() throws Exception {
        Journal.Entry e = new Journal.Entry("attach-1-2-3", "attach", "n", "c5", hostId(), List.of());
        Path file = h.state.resolve("journal/attach-1-2-3.json");
        StateFiles.write(file, e);
        assertEquals(List.of(e), Journal.pending(h.state));
        assertTrue(Journal.exists(h.state, e));
        h.store().lockNetwork("n", () -> {
            Journal.forget(h.state, e);
            return null;
        });
        assertFalse(Files.exists(file));
        assertEquals(List.of(), Journal.pending(h.state));
    }

    @Test
    void aRemovedNetworksEntriesAreAllForgotten() {
        Journal.begin(h.state, "attach", "n", "c2", hostId(), List.of());
        Journal.begin(h.state, "attach", "n", "c3", hostId(), List.of());
        h.store().lockNetwork("n", () -> {
            Journal.forgetAll(h.state, "n");
            return null;
        });
        assertEquals(List.of(), Journal.pending(h.state));
        assertFalse(Files.exists(h.state.resolve("journal/n.log")));
    }
}
