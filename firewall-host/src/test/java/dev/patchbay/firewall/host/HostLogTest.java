package dev.patchbay.firewall.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.PortMapping;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The firewall log of one host and its port index: two views of one file stand for two processes. */
class HostLogTest {
    @TempDir
    Path state;

    HostLog view() {
        return new HostLog(state, "1:2").refresh("netns \"h\"");
    }

    static Ruleset publish(String owner, String mapping) {
        return new Ruleset(RulesetOwner.of(owner), List.of(new Rule.PortForward(PortMapping.parse(mapping),
                IpAddresses.parse("ip", "10.9.0.2"))));
    }

    @Test
    void theBackendOwnersAndPortIndexFollowWhatAnotherViewWrote() {
        HostLog a = view();
        a.backend("nftables");
        a.put(publish("att:n/c1", "8080-8081:80-81"));
        HostLog b = view();
        assertEquals("nftables", b.backend());
        assertEquals("att:n/c1", b.portHolder("tcp * 8081"));
        b.put(publish("att:n/c2", "9090:80"));
        b.remove("att:n/c1");
        a.refresh("h");
        assertEquals(Set.of("att:n/c2"), a.owners().keySet());
        assertNull(a.portHolder("tcp * 8080"), "the claims went with their owner");
        assertEquals("att:n/c2", a.portHolder("tcp * 9090"));
    }

    @Test
    void replacingAnOwnersRulesMovesItsClaims() {
        HostLog a = view();
        a.put(publish("att:n/c1", "8080:80"));
        a.put(publish("att:n/c1", "8090:80"));
        HostLog b = view();
        assertNull(b.portHolder("tcp * 8080"));
        assertEquals("att:n/c1", b.portHolder("tcp * 8090"));
        assertEquals(publish("att:n/c1", "8090:80"), b.owner("att:n/c1"));
    }
}
