package dev.patchbay.core.internal.firewall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.BackendException;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.PortMapping;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The firewall log of one host: two views of one file stand for two processes. */
class HostLogTest {
    @TempDir
    Path state;

    HostLog view() {
        return new HostLog(state, "1:2").refresh("netns \"h\"");
    }

    static Ruleset publish(String owner, int port) {
        return new Ruleset(RulesetOwner.of(owner), List.of(new Rule.PortForward(PortMapping.parse(port + ":80"),
                IpAddresses.parse("ip", "10.9.0.2"))));
    }

    @Test
    void aViewSeesWhatAnotherAppendedAndOnlyReadsTheNewLines() {
        HostLog a = view();
        a.backend("nftables");
        a.put(publish("att:n/c1", 8080));
        HostLog b = view();
        assertEquals("nftables", b.backend());
        assertEquals("att:n/c1", b.portHolder("tcp * 8080"));
        b.put(publish("att:n/c2", 8081));
        b.remove("att:n/c1");
        a.refresh("h");
        assertEquals(Set.of("att:n/c2"), a.owners().keySet());
        assertNull(a.portHolder("tcp * 8080"), "the claim went with its owner");
        assertEquals("att:n/c2", a.portHolder("tcp * 8081"));
    }

    @Test
    void aLineACrashCutShortIsIgnoredThenCutOff() throws Exception {
        HostLog a = view();
        a.put(publish("att:n/c1", 8080));
        Path f = HostLog.file(state, "1:2");
        Files.writeString(f, "{\"op\":\"put\",\"owner\":\"att:n/c9\",\"ru", StandardOpenOption.APPEND);
        HostLog b = view();
        assertEquals(Set.of("att:n/c1"), b.owners().keySet());
        b.put(publish("att:n/c2", 8081));
        assertEquals(Set.of("att:n/c1", "att:n/c2"), view().owners().keySet());
        assertTrue(Files.readString(f).endsWith("\n") && !Files.readString(f).contains("c9"), Files.readString(f));
    }

    @Test
    void aHeaderACrashCutShortIsAnEmptyLog() throws Exception {
        Path f = HostLog.file(state, "1:2");
        Files.createDirectories(f.getParent());
        Files.writeString(f, "{\"op\":\"log\",\"ge");
        HostLog a = view();
        assertEquals(Set.of(), a.owners().keySet());
        a.put(publish("att:n/c1", 8080));
        assertEquals(Set.of("att:n/c1"), view().owners().keySet());
    }

    @Test
    void deadLinesAreCompactedIntoANewGeneration() throws Exception {
        HostLog a = view();
        HostLog b = view();
        a.put(publish("att:n/keep", 9000));
        for (int i = 0; i < 2000; i++) {
            a.put(publish("att:n/c", 8080));
            a.remove("att:n/c");
        }
        long size = Files.size(HostLog.file(state, "1:2"));
        assertTrue(size < 64 * 1024, "rewritten: " + size);
        b.refresh("h");
        assertEquals(Set.of("att:n/keep"), b.owners().keySet(), "another view reads the new generation whole");
        assertEquals("att:n/keep", b.portHolder("tcp * 9000"));
    }

    @Test
    void aBrokenLineIsAnErrorNamingTheFile() throws Exception {
        view().put(publish("att:n/c1", 8080));
        Path f = HostLog.file(state, "1:2");
        Files.writeString(f, "{\"op\":\"frobnicate\"}\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        BackendException e = assertThrows(BackendException.class, this::view);
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("frobnicate"), e.getMessage());
    }
}
