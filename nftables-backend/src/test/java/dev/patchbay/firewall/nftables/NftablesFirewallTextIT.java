package dev.patchbay.firewall.nftables;

import dev.patchbay.testing.NetnsTest;

/** {@link NftablesFirewallIT} without a network stack: everything, map elements included, goes through libnftables. */
@NetnsTest
class NftablesFirewallTextIT extends NftablesFirewallIT {
    @Override
    NftablesFirewall newFirewall() {
        return new NftablesFirewall();
    }

    @Override
    boolean direct() {
        return false;
    }
}
