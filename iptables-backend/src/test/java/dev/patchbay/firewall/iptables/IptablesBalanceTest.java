package dev.patchbay.firewall.iptables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.Protocol;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A virtual service rendered for iptables: statistic-chosen DNATs, the last one taking what is left. */
class IptablesBalanceTest {
    static Ruleset service(Rule.Balance.Mode mode, String... backends) {
        List<Rule.Balance.Backend> bs = java.util.Arrays.stream(backends)
                .map(b -> new Rule.Balance.Backend(IpAddresses.parse("t", b), 8080)).toList();
        return Ruleset.of(RulesetOwner.of("svc:web"), new Rule.Balance(IpAddresses.parse("t", "10.89.0.100"), Protocol.TCP, 80, bs, mode, 0));
    }

    @Test
    void roundRobinTakesEveryNthOfWhatReachesEachRule() {
        Map<String, List<String>> r = IptablesRenderer.rules(service(Rule.Balance.Mode.ROUND_ROBIN, "10.89.0.2", "10.89.0.3", "10.89.0.4"), Family.INET);
        String d = " -d 10.89.0.100/32 -p tcp -m tcp --dport 80";
        String t = " -m comment --comment pb:svc:web";
        assertEquals(List.of( // one address: at the chain's head, in order (before any port published on every address)
                "-I PATCHBAY-DNAT 1" + d + " -m statistic --mode nth --every 3 --packet 0" + t + " -j DNAT --to-destination 10.89.0.2:8080",
                "-I PATCHBAY-DNAT 2" + d + " -m statistic --mode nth --every 2 --packet 0" + t + " -j DNAT --to-destination 10.89.0.3:8080",
                "-I PATCHBAY-DNAT 3" + d + t + " -j DNAT --to-destination 10.89.0.4:8080",
                "-A PATCHBAY-POSTROUTING -m conntrack --ctstate DNAT --ctorigdst 10.89.0.100" + t + " -j MASQUERADE"), r.get("nat"));
        assertEquals(List.of(), IptablesRenderer.rules(service(Rule.Balance.Mode.ROUND_ROBIN, "10.89.0.2"), Family.INET6).get("nat"));
    }

    @Test
    void randomGivesEachRuleOneInWhatIsLeft() {
        List<String> nat = IptablesRenderer.rules(service(Rule.Balance.Mode.RANDOM, "10.89.0.2", "10.89.0.3", "10.89.0.4"), Family.INET).get("nat");
        assertTrue(nat.get(0).contains(" -m statistic --mode random --probability 0.33333333333 "), nat.get(0));
        assertTrue(nat.get(1).contains(" -m statistic --mode random --probability 0.50000000000 "), nat.get(1));
        assertTrue(!nat.get(2).contains("statistic"), nat.get(2));
    }

    @Test
    void noBackendNoDnat() {
        assertEquals(List.of(), IptablesRenderer.rules(service(Rule.Balance.Mode.ROUND_ROBIN), Family.INET).get("nat"));
    }

    /** The dry run of a backend swap: the old DNATs deleted as they were added, the new ones added; remove leaves nothing. */
    @Test
    void aRehearsedSwapAndRemoval() {
        IptablesRehearsal r = new IptablesRehearsal(Map.of(Family.INET, "", Family.INET6, ""), true);
        List<String> first = r.apply(service(Rule.Balance.Mode.ROUND_ROBIN, "10.89.0.2", "10.89.0.3"));
        assertTrue(first.contains("iptables -w -t nat -I PATCHBAY-DNAT 1 -d 10.89.0.100/32 -p tcp -m tcp --dport 80 -m statistic --mode nth"
                + " --every 2 --packet 0 -m comment --comment pb:svc:web -j DNAT --to-destination 10.89.0.2:8080"), String.join("\n", first));
        List<String> swap = r.apply(service(Rule.Balance.Mode.ROUND_ROBIN, "10.89.0.3"));
        assertEquals(3, swap.stream().filter(c -> c.contains(" -D ")).count(), String.join("\n", swap));
        assertTrue(swap.contains("iptables -w -t nat -I PATCHBAY-DNAT 1 -d 10.89.0.100/32 -p tcp -m tcp --dport 80 -m comment --comment"
                + " pb:svc:web -j DNAT --to-destination 10.89.0.3:8080"), String.join("\n", swap));
        List<String> rm = r.remove(RulesetOwner.of("svc:web"));
        assertTrue(rm.contains("iptables -w -t nat -X PATCHBAY-DNAT"), String.join("\n", rm));
    }

    @Test
    void aBadBackendIsRefusedNamingIt() {
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(dev.patchbay.core.errors.InvalidInputException.class,
                () -> new Rule.Balance(IpAddresses.parse("t", "10.89.0.100"), Protocol.TCP, 80,
                        List.of(new Rule.Balance.Backend(IpAddresses.parse("t", "fd00::2"), 80)), Rule.Balance.Mode.RANDOM, 0));
        assertTrue(e.getMessage().contains("service backend"), e.getMessage());
    }

    /** Affinity: a recent list per backend, checked (and refreshed) first, filled by the DNAT that picks it. */
    @Test
    void affinityIsARecentListPerBackend() {
        Ruleset rs = Ruleset.of(RulesetOwner.of("svc:web"), new Rule.Balance(IpAddresses.parse("t", "10.89.0.100"), Protocol.TCP, 80,
                List.of(new Rule.Balance.Backend(IpAddresses.parse("t", "10.89.0.2"), 8080), new Rule.Balance.Backend(IpAddresses.parse("t", "10.89.0.3"), 8080)),
                Rule.Balance.Mode.ROUND_ROBIN, 30));
        List<String> nat = IptablesRenderer.rules(rs, Family.INET).get("nat");
        String d = " -d 10.89.0.100/32 -p tcp -m tcp --dport 80";
        String t = " -m comment --comment pb:svc:web";
        assertEquals(List.of(
                "-I PATCHBAY-DNAT 1" + d + " -m recent --update --seconds 30 --reap --name pb-10.89.0.100-80tcp-10.89.0.2-8080" + t
                        + " -j DNAT --to-destination 10.89.0.2:8080",
                "-I PATCHBAY-DNAT 2" + d + " -m recent --update --seconds 30 --reap --name pb-10.89.0.100-80tcp-10.89.0.3-8080" + t
                        + " -j DNAT --to-destination 10.89.0.3:8080",
                "-I PATCHBAY-DNAT 3" + d + " -m statistic --mode nth --every 2 --packet 0 -m recent --set --name pb-10.89.0.100-80tcp-10.89.0.2-8080" + t
                        + " -j DNAT --to-destination 10.89.0.2:8080",
                "-I PATCHBAY-DNAT 4" + d + " -m recent --set --name pb-10.89.0.100-80tcp-10.89.0.3-8080" + t + " -j DNAT --to-destination 10.89.0.3:8080",
                "-A PATCHBAY-POSTROUTING -m conntrack --ctstate DNAT --ctorigdst 10.89.0.100" + t + " -j MASQUERADE"), nat);
    }

    /** A port forward to the VIP publishes the service: the host port balanced as the VIP is, no DNAT to the VIP. */
    @Test
    void aPortForwardToTheVipIsBalancedItself() {
        Ruleset rs = Ruleset.of(RulesetOwner.of("svc:web"), service(Rule.Balance.Mode.ROUND_ROBIN, "10.89.0.2").rules().get(0),
                new Rule.PortForward(dev.patchbay.core.model.PortMapping.parse("192.0.2.1:8000:80/tcp"), IpAddresses.parse("t", "10.89.0.100")));
        List<String> nat = IptablesRenderer.rules(rs, Family.INET).get("nat");
        assertEquals(List.of(
                "-I PATCHBAY-DNAT 1 -d 10.89.0.100/32 -p tcp -m tcp --dport 80 -m comment --comment pb:svc:web -j DNAT --to-destination 10.89.0.2:8080",
                "-I PATCHBAY-DNAT 2 -d 192.0.2.1/32 -p tcp -m tcp --dport 8000 -m comment --comment pb:svc:web -j DNAT --to-destination 10.89.0.2:8080",
                "-A PATCHBAY-POSTROUTING -m conntrack --ctstate DNAT --ctorigdst 10.89.0.100 -m comment --comment pb:svc:web -j MASQUERADE"), nat);
    }

    /** iptables -D finds no rule by a recent match's saved defaults: they are dropped when read, as the rule was added. */
    @Test
    void aSavedRecentMatchIsDeletedAsItWasAdded() {
        IptablesTool.Saved saved = IptablesTool.Saved.parse("*nat\n:PATCHBAY-DNAT - [0:0]\n-A PATCHBAY-DNAT -m recent --set --name pb-x"
                + " --mask 255.255.255.255 --rsource -m comment --comment \"pb:svc:web\" -j DNAT --to-destination 10.89.0.2:8080\nCOMMIT\n");
        assertEquals(List.of("-A PATCHBAY-DNAT -m recent --set --name pb-x -m comment --comment \"pb:svc:web\" -j DNAT --to-destination 10.89.0.2:8080"),
                saved.owned("nat", "svc:web"));
    }
}
