package dev.patchbay.core.ipam;

import java.util.List;

/** DNS settings passed through to the result unchanged, as CNI's {@code dns} object. */
public record Dns(List<String> nameservers, String domain, List<String> search, List<String> options) {
    public static final Dns NONE = new Dns(List.of(), null, List.of(), List.of());

    public Dns {
        nameservers = nameservers == null ? List.of() : List.copyOf(nameservers);
        search = search == null ? List.of() : List.copyOf(search);
        options = options == null ? List.of() : List.copyOf(options);
    }

    public boolean isEmpty() {
        return nameservers.isEmpty() && domain == null && search.isEmpty() && options.isEmpty();
    }
}
