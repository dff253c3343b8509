package dev.patchbay.services;

import dev.patchbay.orchestrator.network.NetworkFeatures;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/**
 * A network's services as {@code topology} and {@code network inspect} show them: each one's VIP, port, balance and
 * backends, from the services' records of the same state directory and host namespace.
 */
@Component
public final class ServiceFeatures implements NetworkFeatures {
    @Override
    public List<Feature> of(Shown shown) {
        String host = ServiceRecord.host(shown.host());
        List<Feature> out = new ArrayList<>();
        for (ServiceRecord r : new ServiceStore(shown.stateDir()).list()) {
            if (!r.network().equals(shown.config().name()) || !r.host().equals(host)) {
                continue;
            }
            List<String> lines = new ArrayList<>();
            List<Map<String, Object>> backends = new ArrayList<>();
            for (ServiceRecord.Backend b : r.backends()) {
                lines.add("-> " + b.netns() + " " + b.address() + ":" + b.port() + (b.down() ? " (down: failed its health checks)" : ""));
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("netns", b.netns());
                one.put("address", b.address());
                one.put("port", b.port());
                one.put("down", b.down());
                backends.add(one);
            }
            if (lines.isEmpty()) {
                lines.add("no backend: connections are refused");
            }
            if (r.vip6() != null) {
                lines.add("IPv6 VIP " + r.vip6());
            }
            if (r.affinity() > 0) {
                lines.add("client affinity " + r.affinity() + "s");
            }
            r.publish().forEach(p -> lines.add("published on " + p));
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("name", r.name());
            data.put("vip", r.vip());
            if (r.vip6() != null) {
                data.put("vip6", r.vip6());
            }
            data.put("affinity", r.affinity());
            data.put("publish", r.publish());
            data.put("port", r.port());
            data.put("protocol", r.protocol());
            data.put("balance", r.balance());
            data.put("backends", backends);
            out.add(new Feature("service", "service " + r.name() + " " + r.vip() + ":" + r.port() + "/" + r.protocol() + " "
                    + r.balance() + " over " + r.backends().size() + (r.backends().size() == 1 ? " backend" : " backends"), lines, data));
        }
        return out;
    }
}
