package dev.patchbay.orchestrator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.core.model.MacAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which MACs an interface can have: the kernel refuses a group or all-zero address only when the veth is made. */
class MacsTest {
    @Test
    void zeroBroadcastAndMulticastAreRefusedAUnicastIsNot() {
        assertTrue(Macs.unusable(MacAddress.parse("00:00:00:00:00:00")).orElseThrow().contains("all zero"));
        assertTrue(Macs.unusable(MacAddress.parse("ff:ff:ff:ff:ff:ff")).orElseThrow().contains("broadcast"));
        assertTrue(Macs.unusable(MacAddress.parse("01:00:5e:00:00:01")).orElseThrow().contains("multicast"));
        assertTrue(Macs.unusable(MacAddress.parse("33:33:00:00:00:01")).orElseThrow().contains("multicast"));
        assertEquals(Optional.empty(), Macs.unusable(MacAddress.parse("02:42:ac:11:00:02")));
        assertEquals(Optional.empty(), Macs.unusable(MacAddress.parse("00:16:3e:00:00:01")));
        assertEquals(Optional.empty(), Macs.unusable(null));
    }
}
