package dev.patchbay.testing;

import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.PolicyRule;
import dev.patchbay.core.spi.RuleOps;
import java.util.List;

/** Policy rules of one fake namespace. */
final class FakeRuleOps extends FakeOps implements RuleOps {
    FakeRuleOps(FakeNetworkStack.Handle handle) {
        super(handle);
    }

        @Override
        public void add(PolicyRule rule) {
            change("rules.add", rule, () -> {
                if (ns.rules.contains(rule)) {
                    throw new AlreadyExistsException("rule \"" + rule + "\" already exists in " + where());
                }
                ns.rules.add(rule);
            });
        }

        @Override
        public void delete(PolicyRule rule) {
            change("rules.delete", rule, () -> {
                if (!ns.rules.remove(rule)) {
                    throw new NotFoundException("rule \"" + rule + "\" not found in " + where());
                }
            });
        }

        @Override
        public List<PolicyRule> list(Family family) {
            return read("rules.list", null, () -> ns.rules.stream().filter(r -> family == null || r.family() == family).toList());
        }
    
}
