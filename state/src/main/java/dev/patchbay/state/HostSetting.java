package dev.patchbay.state;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;

/**
 * A setting of Patchbay's configuration as the launcher hands it to bundles: {@code BundleContext.getProperty}, read at
 * each use (the launcher publishes the live ones again when the daemon reloads its configuration). Null when not set,
 * or outside a framework (a unit test).
 */
public final class HostSetting {
    public static final String FIREWALL = "patchbay.firewall";
    public static final String PLUGIN_TIMEOUT = "patchbay.plugin.timeout";
    public static final String REPAIR_SECONDS = "patchbay.repair.seconds";
    public static final String CNI_LOG = "patchbay.cni.log";
    /** The daemons' sockets (read at start: a reload does not change it). */
    public static final String RUN_DIR = "patchbay.run.dir";
    /** The state folder of a CNI call whose environment names none (the file's, never the daemon's environment). */
    public static final String CNI_STATE_DIR = "patchbay.cni.state.dir";

    private HostSetting() {
    }

    public static String get(String key) {
        Bundle b = FrameworkUtil.getBundle(HostSetting.class);
        BundleContext ctx = b == null ? null : b.getBundleContext();
        String v = ctx == null ? null : ctx.getProperty(key);
        return v == null || v.isEmpty() ? null : v;
    }
}
