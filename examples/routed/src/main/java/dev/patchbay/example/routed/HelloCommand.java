package dev.patchbay.example.routed;

import dev.patchbay.core.command.CliContext;
import dev.patchbay.core.command.PatchbayCommand;
import dev.patchbay.core.command.PatchbayCommandName;
import java.util.Map;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ServiceScope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The README's example command, contributed by a bundle the launcher has never heard of: {@code patchbay hello}. */
@Component(service = PatchbayCommand.class, scope = ServiceScope.PROTOTYPE)
@PatchbayCommandName("hello")
@Command(name = "hello", mixinStandardHelpOptions = true, description = "Say hello (an example third-party command).")
public final class HelloCommand implements PatchbayCommand {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        CliContext cli = CliContext.of(spec);
        cli.print(Map.of("hello", "world"), () -> "hello world");
        return 0;
    }
}
