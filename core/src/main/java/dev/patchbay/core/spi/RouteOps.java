package dev.patchbay.core.spi;

import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.Route;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** Routes of one namespace. */
@ProviderType
public interface RouteOps {
    void add(Route route);

    /** Create or replace (NLM_F_CREATE|NLM_F_REPLACE). */
    void replace(Route route);

    void delete(Route route);

    /** Routes of the main table, or of {@code table} if non-null; {@code family == null} for both. */
    List<Route> list(Family family, Integer table);
}
