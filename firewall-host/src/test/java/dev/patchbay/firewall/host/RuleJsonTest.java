package dev.patchbay.firewall.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.Protocol;
import dev.patchbay.state.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every rule kind survives its record: a swap and a repair re-apply what was read back. */
class RuleJsonTest {
    @Test
    void aBalanceIsReadBackAsItWasRecorded() {
        for (List<Rule.Balance.Backend> bs : List.of(List.<Rule.Balance.Backend>of(),
                List.of(new Rule.Balance.Backend(IpAddresses.parse("t", "10.89.0.2"), 8080), new Rule.Balance.Backend(IpAddresses.parse("t", "10.89.0.3"), 80)))) {
            Rule r = new Rule.Balance(IpAddresses.parse("t", "10.89.0.100"), Protocol.UDP, 53, bs, Rule.Balance.Mode.RANDOM, 0);
            String json = Json.compact().toJson(RuleJson.of(r));
            assertEquals(r, Json.compact().fromJson(json, RuleJson.class).toRule(), json);
        }
    }

    @Test
    void aTunnelsPeersAreReadBackAsRecorded() {
        Rule r = new Rule.TunnelPeers(4789, List.of(IpAddresses.parse("t", "192.168.78.1"), IpAddresses.parse("t", "192.168.78.3")));
        String json = Json.compact().toJson(RuleJson.of(r));
        assertEquals(r, Json.compact().fromJson(json, RuleJson.class).toRule(), json);
    }
}
