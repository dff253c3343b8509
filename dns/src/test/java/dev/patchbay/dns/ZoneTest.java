package dev.patchbay.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class ZoneTest {
    private final Zone zone = Zone.of(Fixture.network("web", Map.of()), List.of(
            Fixture.attachment("red", "/run/netns/red", Map.of("alias", "db,Cache"), "10.90.0.2/24", "fd90::2/64"),
            Fixture.attachment("pid-42", "/proc/42/ns/net", Map.of(), "10.90.0.3/24"),
            Fixture.attachment("c1", "/run/netns/blue", Map.of(), "10.90.0.4/24")));

    private static Message query(String name, int type) throws Exception {
        Message q = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
        q.getHeader().setID(4711);
        return q;
    }

    private static List<String> answers(Message r) {
        return r.getSection(Section.ANSWER).stream().map(x -> x.rdataToString()).toList();
    }

    @Test
    void aContainerByItsNameBareOrInTheDomainAAndAaaa() throws Exception {
        Message a = zone.answer(query("red.patchbay.internal.", Type.A));
        assertEquals(Rcode.NOERROR, a.getRcode());
        assertEquals(4711, a.getHeader().getID());
        assertTrue(a.getHeader().getFlag(Flags.AA) && a.getHeader().getFlag(Flags.QR));
        assertEquals(List.of("10.90.0.2"), answers(a));
        assertEquals(List.of("fd90:0:0:0:0:0:0:2"), answers(zone.answer(query("red.patchbay.internal.", Type.AAAA))));
        assertEquals(List.of("10.90.0.2"), answers(zone.answer(query("RED.", Type.A))), "bare and any case");
        assertEquals(List.of(), answers(zone.answer(query("pid-42.patchbay.internal.", Type.AAAA))), "a name without an IPv6 address: no data");
        assertEquals(Rcode.NOERROR, zone.answer(query("pid-42.patchbay.internal.", Type.AAAA)).getRcode());
    }

    @Test
    void aliasesAndANamedNamespaceAttachedUnderAnotherId() throws Exception {
        assertEquals(List.of("10.90.0.2"), answers(zone.answer(query("db.patchbay.internal.", Type.A))));
        assertEquals(List.of("10.90.0.2"), answers(zone.answer(query("cache.", Type.A))));
        assertEquals(List.of("10.90.0.4"), answers(zone.answer(query("blue.patchbay.internal.", Type.A))));
        assertEquals(List.of("10.90.0.4"), answers(zone.answer(query("c1.patchbay.internal.", Type.A))));
    }

    @Test
    void unknownNamesInTheDomainAreNxdomainOthersAreForwarded() throws Exception {
        assertEquals(Rcode.NXDOMAIN, zone.answer(query("nobody.patchbay.internal.", Type.A)).getRcode());
        assertEquals(Rcode.NXDOMAIN, zone.answer(query("a.red.patchbay.internal.", Type.A)).getRcode());
        assertEquals(Rcode.NOERROR, zone.answer(query("patchbay.internal.", Type.SOA)).getRcode());
        assertNull(zone.answer(query("example.org.", Type.A)));
        assertNull(zone.answer(query("nobody.", Type.A)), "a bare name not on the network: the upstreams say");
    }

    @Test
    void twoHoldersOfANameAnswerWithBoth() {
        Zone z = Zone.of(Fixture.network("web", Map.of("dns.domain", "Lab.Example.")), List.of(
                Fixture.attachment("a", null, Map.of("alias", "api"), "10.90.0.2/24"),
                Fixture.attachment("b", null, Map.of("alias", "api"), "10.90.0.3/24")));
        assertEquals("lab.example", z.domain());
        assertEquals(2, z.names().get("api").size());
    }
}
