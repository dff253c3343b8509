package dev.patchbay.commands.ip;

import dev.patchbay.core.command.CliContext;
import dev.patchbay.core.command.PatchbayCommand;
import dev.patchbay.core.command.PatchbayCommandName;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.NetworkStack;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code patchbay netns add|del|list|attach}: named namespaces, shared with {@code ip netns}. */
@Component(service = PatchbayCommand.class, scope = ServiceScope.PROTOTYPE)
@PatchbayCommandName("netns")
@Command(name = "netns", mixinStandardHelpOptions = true,
        description = "Create, delete and list named network namespaces (the ones `ip netns` sees, under /run/netns).",
        subcommands = {NetnsCommand.Add.class, NetnsCommand.Del.class, NetnsCommand.ListNs.class, NetnsCommand.Attach.class})
public final class NetnsCommand implements PatchbayCommand {
    @Reference
    NetworkStack stack;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return ListNs.print(stack, spec);
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = {"Create a named network namespace.", "patchbay netns add NAME"})
    static final class Add implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        NetnsCommand parent;
        @Parameters(index = "0", paramLabel = "NAME", description = "Name of the new namespace.")
        String name;

        @Override
        public Integer call() {
            parent.stack.namespaces().create(name);
            return 0;
        }
    }

    @Command(name = "del", aliases = "delete", mixinStandardHelpOptions = true, description = {"Delete a named network namespace.", "patchbay netns del NAME"})
    static final class Del implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        NetnsCommand parent;
        @Parameters(index = "0", paramLabel = "NAME", description = "Name of the namespace.")
        String name;

        @Override
        public Integer call() {
            parent.stack.namespaces().delete(name);
            return 0;
        }
    }

    @Command(name = "attach", mixinStandardHelpOptions = true,
            description = {"Name the network namespace of a running process.", "patchbay netns attach NAME PID"})
    static final class Attach implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        NetnsCommand parent;
        @Parameters(index = "0", paramLabel = "NAME", description = "The name to give it (a file under /run/netns).")
        String name;
        @Parameters(index = "1", paramLabel = "PID", description = "The process whose network namespace gets the name.")
        long pid;

        @Override
        public Integer call() {
            parent.stack.namespaces().attach(name, NetnsRef.pid(pid));
            return 0;
        }
    }

    @Command(name = "list", aliases = {"ls", "show"}, mixinStandardHelpOptions = true, description = "List the named namespaces.")
    static final class ListNs implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        NetnsCommand parent;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return print(parent.stack, spec);
        }

        static int print(NetworkStack stack, CommandSpec spec) {
            List<String> names = stack.namespaces().list();
            List<Map<String, String>> json = names.stream().map(n -> Map.of("name", n)).collect(Collectors.toList());
            CliContext.of(spec).print(json, () -> String.join("\n", names));
            return 0;
        }
    }
}
