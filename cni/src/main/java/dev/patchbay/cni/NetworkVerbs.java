package dev.patchbay.cni;

import com.google.gson.JsonObject;
import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.network.AttachRequest;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkPlugin;
import dev.patchbay.orchestrator.network.CniOrigin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * ADD and DEL of a configuration that is a Patchbay network ({@link NetworkConf}: a type a driver serves, bridge included): the
 * network is created on the first ADD and then only compared; ADD attaches {@code CNI_CONTAINERID} (the attachment's id
 * and the IPAM owner, so host-local's records match; {@code ID@IFNAME} for a second interface of the container on the
 * network) as {@code CNI_IFNAME} in {@code CNI_NETNS}, the record carrying its {@link CniOrigin}; DEL detaches it,
 * whatever is already gone. The network stays after its last DEL, as the reference bridge stays:
 * {@code patchbay network rm NAME} removes it.
 */
final class NetworkVerbs {
    private NetworkVerbs() {
    }

    /** What an ADD prints: the result of attachment {@code a} of {@code net}, the container's namespace {@code sandbox}. */
    interface Result<C extends NetworkConf> {
        JsonObject of(C conf, NetworkConfig net, Attachment a, String sandbox);
    }

    /** {@code conf} is read once the environment is checked (a call missing both says what is missing of the environment). */
    static <C extends NetworkConf> String add(CniCall call, CniContext ctx, Supplier<C> confOf, Result<C> result) {
        call.require("CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_PATH");
        String id = call.containerId();
        IfName ifName = call.ifName();
        String netns = call.netns();
        C conf = confOf.get();
        AttachArgs args = AttachArgs.of(call, Conf.root(call.config()));
        if (!Files.exists(Path.of(netns))) {
            throw new CniError(CniError.INVALID_ENV, "CNI_NETNS: " + netns + " does not exist");
        }
        NetworkConfig net = ensure(conf, ctx);
        if (args.mac() != null) {
            ctx.attachments().macHolder(ctx.hostRef(), net.name(), args.mac()).ifPresent(who -> {
                throw new CniError(CniError.INVALID_CONFIG, args.macField() + ": \"" + args.mac() + "\" is held on network \""
                        + net.name() + "\" by " + who + ": two interfaces with one MAC on a segment both lose their traffic");
            });
        }
        if (ctx.attachments().findCni(net.name(), id, ifName).isPresent()) {
            throw new AlreadyExistsException("\"" + id + "\" is already attached to network \"" + net.name() + "\" as " + ifName);
        }
        // the container's first interface on the network is recorded under its id, another one as ID@IFNAME
        String key = ctx.attachments().find(net.name(), id).isPresent() ? id + "@" + ifName : id;
        Attachment a = ctx.attachments().attach(ctx.hostRef(), new AttachRequest(net.name(), key, NetnsRef.path(Path.of(netns)),
                ifName, args.ips(), args.mac(), List.of()), new CniOrigin(id, ifName, conf.identity(), key));
        return JsonText.write(Results.convert(result.of(conf, net, a, netns), call.version()));
    }

    /** The network of the configuration: created when missing, else code 7 unless it has the same settings. */
    static NetworkConfig ensure(NetworkConf conf, CniContext ctx) {
        Optional<NetworkConfig> existing = ctx.networks().find(conf.network().name());
        if (existing.isEmpty()) {
            try {
                return ctx.networks().create(ctx.hostRef(), chained(conf.network(), ctx), false);
            } catch (AlreadyExistsException e) {
                existing = ctx.networks().find(conf.network().name()); // another ADD created it meanwhile
                if (existing.isEmpty()) {
                    throw e;
                }
            }
        }
        conf.requireSame(existing.get());
        return existing.get();
    }

    /**
     * {@code asked} with its driver's default chain and, last, {@link BandwidthChain} (when installed): a conflist may chain
     * the CNI type {@code bandwidth} after the driver, and the network's checks and repairs then see what it shapes.
     */
    private static NetworkConfig chained(NetworkConfig asked, CniContext ctx) {
        List<String> chain = new ArrayList<>(ctx.manager().installed(asked.driver()).map(NetworkPlugin::defaultChain).orElse(List.of()));
        if (!chain.contains(BandwidthChain.TYPE) && ctx.manager().installed(BandwidthChain.TYPE).isPresent()) {
            chain.add(BandwidthChain.TYPE);
        }
        return new NetworkConfig(asked.name(), asked.driver(), chain, asked.subnet(), asked.gateway(), asked.subnet6(), asked.gateway6(),
                asked.options());
    }

    /**
     * Detaches the interface a CNI ADD made for the container as CNI_IFNAME; succeeds for a network or container
     * Patchbay does not know, with the namespace gone or CNI_NETNS empty. An attachment the CLI made is never this
     * DEL's, nor one of another interface. A configuration that contradicts the network's settings touches nothing and
     * says so on stderr, with success: an ADD with it was refused, so nothing of it exists to delete, and a failed DEL
     * would leave the runtime retrying (or the container half torn down) over a file edited since.
     */
    static String del(CniCall call, CniContext ctx, Supplier<? extends NetworkConf> confOf) {
        call.require("CNI_CONTAINERID", "CNI_IFNAME", "CNI_PATH");
        String id = call.containerId();
        IfName ifName = call.ifName();
        call.netns();
        NetworkConf conf = confOf.get();
        String name = conf.network().name();
        Optional<NetworkConfig> net = ctx.networks().find(name);
        if (net.isEmpty()) {
            ctx.note("network \"" + name + "\" does not exist: nothing to delete");
            return "";
        }
        try {
            conf.requireSame(net.get());
        } catch (CniError e) {
            ctx.note("nothing deleted: this configuration is not the network's (" + e.getMessage() + ")");
            return "";
        }
        Optional<Attachment> rec = ctx.attachments().findCni(name, id, ifName);
        String key;
        if (rec.isPresent()) {
            key = rec.get().containerId();
        } else { // no record: undo what an ADD interrupted before its record may have left, under the id it used
            key = ctx.attachments().find(name, id).isPresent() ? id + "@" + ifName : id;
            Optional<Attachment> other = ctx.attachments().find(name, key);
            if (other.isPresent()) {
                ctx.note("\"" + key + "\" on network \"" + name + "\" was not attached by CNI as " + ifName + " (patchbay detach removes it): nothing to delete");
                return "";
            }
        }
        ctx.attachments().detach(ctx.hostRef(), name, key, ifName);
        return "";
    }
}
