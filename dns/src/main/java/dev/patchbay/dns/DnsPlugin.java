package dev.patchbay.dns;

import dev.patchbay.core.errors.ErrorCollector;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.network.AttachRequest;
import dev.patchbay.core.network.Attachment;
import dev.patchbay.core.network.NetworkConfig;
import dev.patchbay.core.network.NetworkContext;
import dev.patchbay.core.network.NetworkPlugin;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/**
 * Names between containers: a chained plugin (in the bridge's default chain) whose network gets a DNS server on its
 * gateway addresses, served by the daemon ({@link DnsServer}): each container by its name (its container id, its named
 * namespace's name) and its aliases ({@code attach --opt alias=NAME[,NAME]}), bare or in the network's domain. A named
 * namespace attached by name gets {@code /etc/netns/NAME/resolv.conf} pointing at the server ({@link ResolvConf}), gone
 * when it leaves. {@code network create --dns=false} switches it off. Makes no link and no rule.
 */
@Component(property = {NetworkPlugin.TYPE + "=" + DnsPlugin.TYPE, NetworkPlugin.ROLE + "=" + NetworkPlugin.CHAINED,
        NetworkPlugin.FLAGS + "=" + Names.DNS + "=true|false", NetworkPlugin.ATTACH_OPTIONS + "=" + Names.ALIAS,
        DnsPlugin.CREATE_DEFAULTS + "=" + Names.DNS + "=true"})
public final class DnsPlugin implements NetworkPlugin {
    static final String TYPE = "dns";
    /** {@code network create}'s defaults (the orchestrator's property): DNS on, as Docker's user-defined networks. */
    static final String CREATE_DEFAULTS = "patchbay.plugin.create.defaults";

    @Override
    public Map<String, String> options() {
        return Map.of(Names.DNS, "false: no DNS server on the network's gateway addresses (network create: true, served by the daemon; a CNI network: false)",
                Names.DOMAIN, "the domain of the containers' names (default: " + Names.DEFAULT_DOMAIN + ")",
                Names.ALIAS, "per attachment only (attach --opt alias=NAME[,NAME]): more names of the container");
    }

    @Override
    public void validate(NetworkContext ctx, List<NetworkConfig> others) {
        NetworkConfig config = ctx.config();
        Names.enabled(config);
        Names.domain(config);
        config.option(Names.ALIAS).ifPresent(v -> {
            throw new InvalidInputException(Names.ALIAS, v, "is an option of each attachment (attach --opt alias=NAME), not of the network");
        });
    }

    @Override
    public void validate(NetworkContext ctx, AttachRequest request) {
        Names.aliases(request.options().get(Names.ALIAS));
    }

    @Override
    public void setUpNetwork(NetworkContext ctx) {
        if (on(ctx.config())) {
            tell(s -> s.told(ctx.config().name(), ctx.config()));
        }
    }

    @Override
    public void tearDownNetwork(NetworkContext ctx, ErrorCollector errors) {
        tell(s -> s.told(ctx.config().name(), null));
    }

    @Override
    public Attachment setUp(NetworkContext ctx, AttachRequest request, Attachment previous) {
        NetworkConfig config = ctx.config();
        if (!on(config)) {
            return previous;
        }
        Attachment named = new Attachment(previous.network(), previous.containerId(), previous.netnsPath(), previous.ifName(),
                previous.hostIf(), previous.mac(), previous.addresses(), previous.ports(), request.options());
        tell(s -> s.told(config.name(), previous.containerId(), named));
        if (request.container() instanceof NetnsRef.Named n) {
            try {
                ResolvConf.add(ResolvConf.ETC_NETNS, n.name(), new ResolvConf.Entry(config.name(), Names.gateways(config), Names.domain(config)));
            } catch (IOException e) {
                throw new PatchbayException("cannot write " + ResolvConf.ETC_NETNS.resolve(n.name()).resolve("resolv.conf") + ": " + e.getMessage(), e);
            }
        }
        return previous;
    }

    @Override
    public void tearDown(NetworkContext ctx, Attachment attachment, ErrorCollector errors) {
        String network = ctx.config().name();
        tell(s -> s.told(network, attachment.containerId(), null));
        String ns = Names.namespace(attachment);
        String name = ns != null ? ns : attachment.containerId(); // a record cut short by a crash: its id is the name it was attached by
        if (name != null) {
            errors.run("remove network \"" + network + "\" from " + ResolvConf.ETC_NETNS.resolve(name).resolve("resolv.conf"), () -> {
                try {
                    ResolvConf.remove(ResolvConf.ETC_NETNS, name, network);
                } catch (IOException e) {
                    throw new PatchbayException(e.getMessage(), e);
                }
            });
        }
    }

    /**
     * A lost record's {@value Names#DNS}: the plugin is in the rebuilt chain, so the network was made by {@code network create}
     * (DNS on unless {@code --dns=false}). The evidence is the namespaces attached by name: on when one's resolv.conf lists
     * the network, off when they are there and none does; with none of them, network create's default (on).
     */
    @Override
    public Map<String, String> recover(dev.patchbay.core.spi.NetnsHandle host, String name, List<dev.patchbay.core.firewall.Rule> rules,
            List<Attachment> attachments) {
        return Map.of(Names.DNS, Boolean.toString(recovered(ResolvConf.ETC_NETNS, name, attachments)));
    }

    static boolean recovered(java.nio.file.Path etcNetns, String network, List<Attachment> attachments) {
        List<String> named = attachments.stream().map(Attachment::netnsPath).filter(p -> p != null && p.startsWith("/run/netns/"))
                .map(p -> p.substring("/run/netns/".length())).toList();
        return named.isEmpty() || named.stream().anyMatch(n -> ResolvConf.lists(etcNetns, n, network));
    }

    private static boolean on(NetworkConfig config) {
        return Names.enabled(config) && !Names.gateways(config).isEmpty();
    }

    private void tell(java.util.function.Consumer<DnsServer> what) {
        DnsServer s = Told.server();
        if (s != null) {
            what.accept(s);
        }
    }
}
