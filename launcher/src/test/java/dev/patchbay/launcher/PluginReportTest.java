package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.patchbay.core.command.CliContext;
import dev.patchbay.core.command.PatchbayCommandName;
import dev.patchbay.core.firewall.Firewall;
import dev.patchbay.core.ipam.Ipam;
import dev.patchbay.core.network.NetworkPlugin;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The launcher's plugins ls reads core's service properties and prints what the bundles' commands print. */
class PluginReportTest {

    @Test
    void theKindsAreCoresServiceProperties() {
        assertEquals(NetworkPlugin.TYPE, PluginReport.NETWORK_PLUGIN);
        assertEquals(Firewall.BACKEND, PluginReport.FIREWALL_BACKEND);
        assertEquals(Ipam.TYPE_PROPERTY, PluginReport.IPAM);
        assertEquals(PatchbayCommandName.PROPERTY, PluginReport.COMMAND);
    }

    @Test
    void jsonIsLaidOutAsCoresEncoderLaysItOut() {
        List<PluginReport.Entry> entries = List.of(
                new PluginReport.Entry("dev.patchbay.plugin.bridge", "0.1.0", "ACTIVE",
                        List.of(new PluginReport.Provided("network-plugin", "bridge"), new PluginReport.Provided("command", "x\"y")),
                        List.of("conflict: network-plugin \"bridge\" is also provided by a\\b", "second")),
                new PluginReport.Entry("org.apache.felix.scr", "2.2.18", "ACTIVE", List.of(), List.of()),
                new PluginReport.Entry(null, null, "NOT_INSTALLED", List.of(), List.of("bundles/x.jar is not an OSGi bundle")));
        assertEquals(CliContext.gson().toJson(entries), PluginsCommand.json(entries));
        assertEquals("[]", PluginsCommand.json(List.of()));
    }

    @Test
    void textIsOneRowPerBundleWithDashesForNothing() {
        String text = PluginsCommand.text(List.of(
                new PluginReport.Entry("a", "1.0.0", "ACTIVE", List.of(new PluginReport.Provided("command", "ls")), List.of()),
                new PluginReport.Entry(null, null, "NOT_INSTALLED", List.of(), List.of("p1", "p2"))));
        assertEquals("""
                BUNDLE  VERSION  STATE          PROVIDES    PROBLEMS
                a       1.0.0    ACTIVE         command ls  -
                -       -        NOT_INSTALLED  -           p1; p2""", text);
    }
}
