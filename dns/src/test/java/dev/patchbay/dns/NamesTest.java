package dev.patchbay.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IpAddresses;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NamesTest {
    @Test
    void optionsChecked() {
        assertFalse(Names.enabled(Fixture.network("web", Map.of())), "a network without the option (a CNI network's) serves none");
        assertTrue(Names.enabled(Fixture.network("web", Map.of("dns", "true"))));
        assertFalse(Names.enabled(Fixture.network("web", Map.of("dns", "false"))));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Names.enabled(Fixture.network("web", Map.of("dns", "maybe"))));
        assertTrue(e.getMessage().contains("dns") && e.getMessage().contains("maybe"), e.getMessage());
        e = assertThrows(InvalidInputException.class, () -> Names.domain(Fixture.network("web", Map.of("dns.domain", "a..b"))));
        assertTrue(e.getMessage().contains("dns.domain") && e.getMessage().contains("a..b"), e.getMessage());
        e = assertThrows(InvalidInputException.class, () -> Names.aliases("db,-x"));
        assertTrue(e.getMessage().contains("alias") && e.getMessage().contains("db,-x"), e.getMessage());
        assertEquals(List.of("db", "www"), Names.aliases("DB, www"));
    }

    @Test
    void whatAnAttachmentAnswersTo() {
        assertEquals(Set.of("red", "db"), Names.of(Fixture.attachment("red", "/run/netns/red", Map.of("alias", "db"), "10.90.0.2/24")));
        assertEquals(Set.of(), Names.of(Fixture.attachment("proc_1_ns_net", "/proc/1/ns/net", Map.of(), "10.90.0.2/24")),
                "an id that is no DNS label is no name");
        assertNull(Names.namespace(Fixture.attachment("x", "/proc/1/ns/net", Map.of())));
    }

    @Test
    void theUpstreamsOfAResolvConfLeaveOutPatchbaysOwnServers() {
        String text = "# comment\nsearch lab\nnameserver 10.0.0.1\nnameserver 192.0.2.53\n  nameserver   2001:db8::53  \nnameserver host.name\n";
        assertEquals(List.of(IpAddresses.parse("a", "192.0.2.53"), IpAddresses.parse("a", "2001:db8::53")),
                Upstreams.nameservers(text, Set.of(IpAddresses.parse("a", "10.0.0.1"))));
    }
}
