package dev.patchbay.core.spi;

import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** Per-namespace sysctls under {@code net.}, e.g. {@code net.ipv4.ip_forward}. Keys in dotted form. */
@ProviderType
public interface SysctlOps {
    Optional<String> get(String key);

    void set(String key, String value);

    /** Sets the value unless it is already that; returns the previous value. */
    String ensure(String key, String value);
}
