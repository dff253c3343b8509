package dev.patchbay.cni;

import com.google.gson.JsonObject;
import dev.patchbay.core.network.NetworkConfig;

/**
 * A configuration served as a Patchbay network: {@link DriverConf} (a type an installed driver serves). ADD creates the network, then every verb only compares against it.
 */
interface NetworkConf {
    /** The network this configuration asks for. */
    NetworkConfig network();

    /** Its {@code ipam} object. */
    IpamConf ipam();

    /** Its {@code dns} object as results carry it. */
    JsonObject dns();

    /** Code 7 unless {@code existing} (a network of the same name) has the settings this configuration asks for. */
    void requireSame(NetworkConfig existing);

    /** Equal for every configuration {@link #requireSame} accepts for one network; kept in the attachment's CNI origin. */
    String identity();
}
