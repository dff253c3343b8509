package dev.patchbay.firewall.nftables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.PortMapping;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The nftables dry run: one nft script per call, as apply and remove would send it, planned after the calls before. */
class NftRehearsalTest {
    private static final Ruleset NET = Ruleset.of(RulesetOwner.of("net:web"), new Rule.Masquerade(IpPrefix.parse("10.89.0.0/24"), null),
            new Rule.BridgeForward(IfName.of("pb0"), List.of(IpPrefix.parse("10.89.0.0/24"))));
    private static final Ruleset ATT = Ruleset.of(RulesetOwner.of("att:web/red"),
            new Rule.PortForward(PortMapping.parse("8080:80/tcp"), IpAddresses.parse("t", "10.89.0.2")));

    private final NftRehearsal r = new NftRehearsal("");

    @Test
    void theFirstApplyIsTheWholeRenderingAsOneScript() {
        assertEquals(List.of("nft -f - <<'NFT'\n" + NftRenderer.render(NET) + "NFT"), r.apply(NET));
    }

    @Test
    void aLaterOwnerFindsTheSkeletonMade() {
        r.apply(NET);
        List<String> cmds = r.apply(ATT);
        assertEquals(1, cmds.size());
        assertFalse(cmds.get(0).contains("add table"), cmds.get(0));
        assertTrue(cmds.get(0).contains("add element inet patchbay fwd4 { tcp . 8080 comment \"att:web/red\" : 10.89.0.2 . 80 }"), cmds.get(0));
    }

    @Test
    void removingAnOwnerDeletesItsRulesByTheHandlesTheKernelWouldGiveThem() {
        r.apply(NET);
        r.apply(ATT);
        List<String> cmds = r.remove(ATT.owner());
        assertTrue(cmds.get(0).contains("delete element inet patchbay fwd4 { tcp . 8080 }"), cmds.get(0));
        List<String> last = r.remove(NET.owner());
        assertTrue(last.get(0).contains("delete table inet patchbay"), last.get(0));
        assertEquals(List.of(), r.remove(NET.owner()));
    }

    @Test
    void rulesAddedByTheRunAreDeletedByTheirCountedHandles() {
        r.apply(NET); // 4 maps, chains and fixed rules: handles 1-22; the owner's 6 rules 23-28
        List<String> cmds = r.apply(NET);
        assertTrue(cmds.get(0).contains("delete rule inet patchbay nat-post handle 23\n"), cmds.get(0));
    }
}
