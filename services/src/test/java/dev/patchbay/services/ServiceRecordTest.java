package dev.patchbay.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.model.Protocol;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a service is made of, checked before anything changes; and the rule it asks the firewall for. */
class ServiceRecordTest {
    @Test
    void badInputIsRefusedNamingTheFieldAndTheValue() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ServiceRecord.checkName("-x"));
        assertEquals("service name", e.field());
        e = assertThrows(InvalidInputException.class, () -> ServiceRecord.checkBalance("weighted"));
        assertEquals("--balance", e.field());
        assertEquals("weighted", e.value());
        for (String port : List.of("0/tcp", "65536/tcp", "x/tcp", "80/icmp", "")) {
            assertThrows(InvalidInputException.class, () -> Services.port(port), port);
        }
        assertEquals(List.of(53, Protocol.UDP), List.of(Services.port("53/udp")));
        assertEquals(List.of(80, Protocol.TCP), List.of(Services.port("80")));
    }

    @Test
    void itsRuleIsOneBalanceOverItsBackends() {
        ServiceRecord r = new ServiceRecord("api", "web", "", "10.89.0.5", 80, "tcp", "random",
                List.of(new ServiceRecord.Backend("a", "a", "10.89.0.2", 8080), new ServiceRecord.Backend("b", "b", "10.89.0.3", 80)));
        Rule.Balance b = r.ruleset().rulesOf(Rule.Balance.class).get(0);
        assertEquals("svc:api", r.ruleset().owner().id());
        assertEquals(Rule.Balance.Mode.RANDOM, b.mode());
        assertEquals(2, b.backends().size());
        assertEquals(8080, b.backends().get(0).port());
        assertTrue(r.withBackends(List.of()).ruleset().rulesOf(Rule.Balance.class).get(0).backends().isEmpty());
    }

    @Test
    void affinityAndPublishAreCheckedAndBecomeRules() {
        assertEquals("--affinity", assertThrows(InvalidInputException.class, () -> ServiceRecord.checkAffinity(-1)).field());
        assertEquals(0, ServiceRecord.checkAffinity(null));
        for (String bad : List.of("x", "8000-8001", "1.2.3.4:0", "[::1:8000")) {
            assertEquals("--publish", assertThrows(InvalidInputException.class, () -> ServiceRecord.mapping(bad, 80, "tcp"), bad).field());
        }
        ServiceRecord r = new ServiceRecord("api", "web", "", "10.89.0.5", 80, "tcp", "round-robin",
                List.of(new ServiceRecord.Backend("a", "a", "10.89.0.2", 8080, false, "fd00:89::2"), new ServiceRecord.Backend("b", "b", "10.89.0.3", 80)),
                "none", 30, List.of("8000", "[fd00:1::1]:8443"), "fd00:89::5");
        List<Rule.Balance> vips = r.ruleset().rulesOf(Rule.Balance.class);
        assertEquals(List.of(30, 30), vips.stream().map(Rule.Balance::affinitySeconds).toList());
        assertEquals(1, vips.get(1).backends().size(), "the IPv6 VIP over the backends with an IPv6 address");
        assertEquals(List.of("tcp * 8000", "tcp6 * 8000", "tcp6 fd00:1::1 8443"), r.ruleset().entries().stream().map(Rule.Entry::key).toList());
        assertEquals(List.of("10.89.0.5", "fd00:89::5", "fd00:89::5"),
                r.ruleset().entries().stream().map(e -> dev.patchbay.core.model.IpAddresses.format(e.target())).toList());
    }
}
