package dev.patchbay.firewall.iptables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.PortMapping;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The iptables dry run: the restore input apply and remove would send, as commands, each planned after the ones before. */
class IptablesRehearsalTest {
    private static final Ruleset NET = Ruleset.of(RulesetOwner.of("net:web"), new Rule.Masquerade(IpPrefix.parse("10.89.0.0/24"), null),
            new Rule.BridgeForward(IfName.of("pb0"), List.of(IpPrefix.parse("10.89.0.0/24"))));
    private static final Ruleset ATT = Ruleset.of(RulesetOwner.of("att:web/red"),
            new Rule.PortForward(PortMapping.parse("8080:80/tcp"), IpAddresses.parse("t", "10.89.0.2")));

    private final IptablesRehearsal r = new IptablesRehearsal(Map.of(Family.INET, "", Family.INET6, ""), true);

    @Test
    void theFirstApplyMakesTheChainsThenTheRules() {
        List<String> cmds = r.apply(NET);
        assertTrue(cmds.contains("iptables -w -t nat -N PATCHBAY-POSTROUTING"), String.join("\n", cmds));
        assertTrue(cmds.indexOf("iptables -w -t nat -N PATCHBAY-POSTROUTING") < cmds.indexOf(cmds.stream()
                .filter(c -> c.startsWith("iptables -w -t nat -A PATCHBAY-POSTROUTING") && c.contains("pb:net:web")).findFirst().orElseThrow()));
        assertTrue(cmds.stream().allMatch(c -> c.startsWith("iptables -w -t ") || c.startsWith("ip6tables -w -t ")), String.join("\n", cmds));
    }

    @Test
    void aLaterApplyFindsTheChainsMade() {
        r.apply(NET);
        List<String> cmds = r.apply(ATT);
        assertTrue(cmds.stream().noneMatch(c -> c.contains(" -N ")), "no chain made twice:\n" + String.join("\n", cmds));
        assertTrue(cmds.stream().anyMatch(c -> c.contains("-j DNAT") && c.contains("pb:att:web/red")), String.join("\n", cmds));
    }

    @Test
    void applyingAgainDeletesTheOldRulesFirst() {
        r.apply(NET);
        r.apply(ATT);
        List<String> cmds = r.apply(ATT);
        assertTrue(cmds.get(0).contains(" -D ") && cmds.get(0).contains("pb:att:web/red"), String.join("\n", cmds));
    }

    @Test
    void theLastOwnerGoneTearsDownTheChainsAndTheTablesMade() {
        r.apply(NET);
        r.remove(NET.owner());
        List<String> cmds = r.remove(NET.owner());
        assertEquals(List.of(), cmds, "nothing left to remove");
        IptablesRehearsal again = new IptablesRehearsal(Map.of(Family.INET, "", Family.INET6, ""), true);
        again.apply(NET);
        List<String> down = again.remove(NET.owner());
        assertTrue(down.contains("iptables -w -t nat -X PATCHBAY-POSTROUTING"), String.join("\n", down));
        assertTrue(down.contains("nft delete table ip nat"), String.join("\n", down));
    }
}
