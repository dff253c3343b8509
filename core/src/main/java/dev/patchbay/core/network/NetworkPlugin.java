package dev.patchbay.core.network;

import dev.patchbay.core.errors.ErrorCollector;
import dev.patchbay.core.firewall.Rule;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.Link;
import dev.patchbay.core.model.LinkRef;
import dev.patchbay.core.spi.NetnsHandle;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * One link of a network's chain, as a CNI plugin list has them (bridge, portmap, firewall, tuning). The first plugin is
 * the network's driver: it makes the network's links and plugs containers in; the others add to that. A plugin registers
 * with {@link #TYPE}{@code =<type>}, the name networks use, so a third party's plugin needs no other bundle changed.
 *
 * <p>The orchestrator validates every plugin before anything changes, allocates the addresses, runs {@link #setUp} in
 * chain order, applies the rules as one ruleset per owner (the network; each attachment), then records the result; a
 * failure undoes what was done, in reverse. Teardown runs in reverse, keeps going past errors, treats absent objects as
 * done. Rules are pure contributions: no plugin talks to a firewall. {@code gc}, the daemon and {@code network ls} ask
 * each plugin's checks what is missing; {@code gc} repairs it.
 */
@ConsumerType
public interface NetworkPlugin {
    /** Service property naming the plugin type. */
    String TYPE = "patchbay.plugin.type";
    /** Service property: {@value #CHAINED} for a plugin that only adds to a driver's network ({@code --driver} refuses it). */
    String ROLE = "patchbay.plugin.role";
    String CHAINED = "chained";
    /** Service property: {@code true} on the driver {@code network create} uses when none is named. */
    String DEFAULT_DRIVER = "patchbay.plugin.default";
    /** Service property: options with a flag of their own on {@code network create}: KEY ({@code --KEY}: true), KEY=LABEL ({@code --KEY V}). */
    String FLAGS = "patchbay.plugin.flags";
    /** Service property: keys of {@link #options} it also takes per attachment, {@code attach --opt} ({@link AttachRequest#options}). */
    String ATTACH_OPTIONS = "patchbay.plugin.attach.options";
    /** Capability of a plugin that publishes {@link AttachRequest#ports()} (CNI's {@code portMappings}). */
    String PORT_MAPPINGS = "portMappings";

    /** The options this plugin takes, each with one line of help; {@code network create --opt KEY=VALUE}. */
    default Map<String, String> options() {
        return Map.of();
    }

    /** Defaults to record for options the operator left out (e.g. the bridge's name); computed once, at create. */
    default Map<String, String> defaults(NetworkConfig config) {
        return Map.of();
    }

    /** For a driver: the plugins chained after it when the operator names none. */
    default List<String> defaultChain() {
        return List.of();
    }

    /** What this plugin serves of an attach request besides links, e.g. {@link #PORT_MAPPINGS}. */
    default Set<String> capabilities() {
        return Set.of();
    }

    /**
     * For a driver serving the CNI type of its own name: the chain's options for one such CNI configuration (its JSON object
     * as maps, lists, strings, booleans, longs, doubles); Patchbay serves {@code ipam} (host-local; {@code ipam.routes} are
     * the driver's), {@code dns}, {@code runtimeConfig}, {@code args}. Null, or UnavailableException caused by an
     * InvalidInputException naming the key: not served (on to the next plugin on CNI_PATH). A wrong value: InvalidInputException. Since 2.3
     */
    default Map<String, String> cniOptions(Map<String, Object> conf) {
        return null;
    }

    /**
     * For a chained plugin serving the CNI type of its own name: what one call ({@code conf} as for cniOptions; {@code args}:
     * CNI_ARGS; {@code network}: the one {@code conf} names, or null) asks. Null, not served, wrong: as cniOptions. Since 2.4
     */
    default CniChange cniChange(Map<String, Object> conf, Map<String, String> args, NetworkConfig network) {
        return null;
    }

    /** For a driver: the network's own interface in the host namespace (e.g. its bridge), or null. */
    default IfName hostInterface(NetworkConfig config) {
        return null;
    }

    /**
     * Checks this plugin's options and what it needs of the host before a network is created: no side
     * effects. {@code others}: the other networks of the same host namespace.
     */
    void validate(NetworkContext ctx, List<NetworkConfig> others);

    /** Creates or verifies the network's host side (idempotent: also run to repair it). */
    default void setUpNetwork(NetworkContext ctx) {
    }

    /** What of its part of the host side is missing, in words; reads only (CNI's CHECK). Default: a missing or down {@link #hostInterface}. */
    default List<String> checkNetwork(NetworkContext ctx) {
        IfName hi = hostInterface(ctx.config());
        Optional<Link> l = hi == null ? Optional.empty() : ctx.host().links().find(LinkRef.name(hi));
        return hi == null || l.map(Link::up).orElse(false) ? List.of() : List.of("interface \"" + hi + "\"" + (l.isEmpty() ? "" : " up"));
    }

    /**
     * Its options read back, when network {@code name}'s record is lost, from its recorded rules, its attachments and the
     * kernel; empty: nothing of its own. A driver answers only for a network whose host interface it finds there.
     */
    default Map<String, String> recover(NetnsHandle host, String name, List<Rule> rules, List<Attachment> attachments) {
        return Map.of();
    }

    /** Removes the network's host side; keeps going past errors, collecting them; absent objects are fine. */
    default void tearDownNetwork(NetworkContext ctx, ErrorCollector errors) {
    }

    /** Adds the network's firewall rules (forward accepts, masquerade, isolation) to {@code rules}. Pure. */
    default void networkRules(NetworkContext ctx, List<Rule> rules) {
    }

    /** Checks an attach request before anything changes: no side effects. */
    default void validate(NetworkContext ctx, AttachRequest request) {
    }

    /**
     * Plugs the container in, or adds to what earlier plugins did. {@code previous} is the attachment so
     * far: for the driver, its addresses (allocated) and nothing else. Returns the attachment as it is now.
     */
    default Attachment setUp(NetworkContext ctx, AttachRequest request, Attachment previous) {
        return previous;
    }

    /**
     * Undoes {@link #setUp}; keeps going past errors, collecting them; absent objects are fine. After a
     * crash {@code attachment} may hold only the network, the container id and the interface name.
     */
    default void tearDown(NetworkContext ctx, Attachment attachment, ErrorCollector errors) {
    }

    /** What of its part of the attachment is missing in the host or the container, in words; reads only (CNI's CHECK). */
    default List<String> check(NetworkContext ctx, Attachment attachment) {
        return List.of();
    }

    /** Makes again what {@link #check} found, as recorded; false: it cannot, and the chain plugs the container in anew. */
    default boolean repair(NetworkContext ctx, Attachment attachment) {
        return false;
    }

    /** Adds an attachment's firewall rules (e.g. its published ports) to {@code rules}. Pure. */
    default void attachmentRules(NetworkContext ctx, Attachment attachment, List<Rule> rules) {
    }
}
