package dev.patchbay.firewall.nftables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.firewall.Ruleset;
import dev.patchbay.core.firewall.RulesetOwner;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.PortMapping;
import dev.patchbay.testing.NetnsTest;
import dev.patchbay.testing.Sandbox;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Map elements as nf_tables netlink batches: what nft sees, kernel refusals, and rollback of the other step. */
@NetnsTest
class NftDirectIT {
    static final NetnsRef HOST = NetnsRef.current();
    static final RulesetOwner OWNER = RulesetOwner.of("att:d/c1");
    static final RulesetOwner OTHER = RulesetOwner.of("att:d/other");

    static NftablesFirewall direct(dev.patchbay.core.spi.NetworkStack stack) {
        return direct(stack, NfnlChannel::open);
    }

    static NftablesFirewall direct(dev.patchbay.core.spi.NetworkStack stack, java.util.function.Supplier<NfnlChannel> channels) {
        NftablesFirewall fw = new NftablesFirewall();
        fw.stack = stack;
        fw.channels = channels;
        assertTrue(fw.ctx(HOST).direct != null, "a netlink channel");
        return fw;
    }

    static Rule.PortForward fwd(String mapping, String target) {
        return new Rule.PortForward(PortMapping.parse(mapping), IpAddresses.parse("t", target));
    }

    /** Another owner publishing 7000/tcp, there before the step under test. */
    static void publishOther(NftablesFirewall fw) {
        fw.apply(HOST, Ruleset.of(OTHER, fwd("7000:70/tcp", "10.89.0.7")));
    }

    static String nft(Sandbox sb, String... args) {
        return NftablesFirewallIT.nft(sb, args);
    }

    @Test
    void nftListsTheElementsWithTheirOwnersAndAnotherProcessReadsThemBack(Sandbox sb) {
        NftablesFirewall fw = direct(new CurrentNetnsStack());
        List<Rule> rules = new ArrayList<>(List.of(fwd("8080:80/tcp", "10.89.0.2"), fwd("127.0.0.1:5353:53/udp", "10.89.0.2"),
                fwd("[fd00::1]:8443:443/tcp", "fd00::2"), fwd("9000-9001:9000-9001/sctp", "fd00::3")));
        for (int k = 0; k < 3000; k++) { // several messages in one batch
            rules.add(fwd((20000 + k) + ":80/tcp", "10.90." + k / 250 + "." + (k % 250 + 2)));
        }
        Ruleset rs = new Ruleset(OWNER, rules);
        fw.apply(HOST, rs);
        String ruleset = nft(sb, "list", "ruleset");
        assertTrue(ruleset.contains("tcp . 8080 comment \"att:d/c1\" : 10.89.0.2 . 80"), ruleset);
        assertTrue(ruleset.contains("127.0.0.1 . udp . 5353 comment \"att:d/c1\" : 10.89.0.2 . 53"), ruleset);
        assertTrue(ruleset.contains("fd00::1 . tcp . 8443 comment \"att:d/c1\" : fd00::2 . 443"), ruleset);
        assertTrue(ruleset.contains("sctp . 9001 comment \"att:d/c1\" : fd00::3 . 9001"), ruleset);
        assertTrue(ruleset.contains("tcp . 22999 comment \"att:d/c1\" : 10.90.11.251 . 80"), ruleset);
        NftablesFirewall other = new NftablesFirewall(); // reads the table through libnftables JSON
        assertEquals(Set.of(OWNER), other.owners(HOST));
        assertEquals("", other.plan(HOST, rs), "the elements read back are exactly the ones applied");
        fw.apply(HOST, new Ruleset(OWNER, rules.subList(0, 2))); // drops 3,002 elements in one batch
        assertFalse(nft(sb, "list", "ruleset").contains("20000"));
        assertEquals(List.of(), fw.remove(HOST, OWNER));
        assertFalse(nft(sb, "list", "ruleset").contains("patchbay"));
    }

    @Test
    void aKeyTakenOutsidePatchbayIsRefusedAndNothingOfTheOwnerStays(Sandbox sb) {
        NftablesFirewall fw = direct(new CurrentNetnsStack());
        publishOther(fw);
        nft(sb, "add", "element", "inet", "patchbay", "fwd4", "{ tcp . 8086 : 10.0.0.1 . 80 }"); // no comment: not Patchbay's
        AlreadyExistsException e = assertThrows(AlreadyExistsException.class,
                () -> fw.apply(HOST, Ruleset.of(OWNER, fwd("8085-8086:80-81/tcp", "10.89.0.2"))));
        assertTrue(e.getMessage().contains("\"tcp . 8086\"") && e.getMessage().contains("map fwd4"), e.getMessage());
        String map = nft(sb, "list", "map", "inet", "patchbay", "fwd4");
        assertFalse(map.contains("8085"), map);
        assertEquals(Set.of(OTHER), fw.owners(HOST));
        fw.remove(HOST, OTHER);
        assertFalse(nft(sb, "list", "ruleset").contains("patchbay"));
    }

    @Test
    void aFailingRuleStepTakesTheElementsBack(Sandbox sb) {
        NftablesFirewall fw = direct(new CurrentNetnsStack());
        publishOther(fw);
        // from outside: the chain isolation rules jump to becomes a base chain, which nothing may jump to, so adding
        // them fails (a chain that is only gone would be made again: the apply puts back the table's own part)
        nft(sb, "delete", "chain", "inet", "patchbay", "isolation2");
        nft(sb, "add", "chain", "inet", "patchbay", "isolation2", "{ type filter hook input priority 0; }");
        Ruleset mixed = Ruleset.of(OWNER, fwd("8085:80/tcp", "10.89.0.2"), new Rule.Isolation(IfName.of("pbd0")));
        assertThrows(PatchbayException.class, () -> fw.apply(HOST, mixed));
        String map = nft(sb, "list", "map", "inet", "patchbay", "fwd4");
        assertFalse(map.contains("8085"), map);
        assertTrue(map.contains("7000"), map);
        assertEquals(Set.of(OTHER), fw.owners(HOST));
        nft(sb, "delete", "table", "inet", "patchbay");
    }

    @Test
    void aFailingFirstElementBatchLeavesNoTable(Sandbox sb) {
        FaultyChannels stack = new FaultyChannels();
        NftablesFirewall fw = direct(new CurrentNetnsStack(), stack);
        stack.spoil = 2; // the apply and its retry
        Ruleset mixed = Ruleset.of(OWNER, fwd("8085:80/tcp", "10.89.0.2"), new Rule.Isolation(IfName.of("pbd0")));
        PatchbayException e = assertThrows(PatchbayException.class, () -> fw.apply(HOST, mixed));
        assertTrue(e.getMessage().contains("ENOENT") && e.getMessage().contains("map fwd4"), e.getMessage());
        assertFalse(nft(sb, "list", "tables").contains("patchbay"), "the skeleton of the failed first apply is gone");
        fw.apply(HOST, mixed); // the channel behaves again
        assertTrue(nft(sb, "list", "map", "inet", "patchbay", "fwd4").contains("8085"));
        publishOther(fw);
        stack.spoil = 2;
        assertThrows(PatchbayException.class, () -> fw.remove(HOST, OWNER)); // its element batch fails: nothing removed
        assertEquals(Set.of(OWNER, OTHER), fw.owners(HOST));
        String t = nft(sb, "list", "table", "inet", "patchbay");
        assertTrue(t.contains("8085") && t.contains("pbd0"), t);
        fw.remove(HOST, OWNER);
        fw.remove(HOST, OTHER);
        assertFalse(nft(sb, "list", "ruleset").contains("patchbay"));
    }
}
