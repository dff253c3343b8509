package dev.patchbay.core.spi;

import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.PolicyRule;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** Routing policy rules ({@code ip rule}) of one namespace. */
@ProviderType
public interface RuleOps {
    void add(PolicyRule rule);

    void delete(PolicyRule rule);

    List<PolicyRule> list(Family family);
}
