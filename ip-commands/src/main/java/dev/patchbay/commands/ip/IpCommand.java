package dev.patchbay.commands.ip;

import dev.patchbay.core.command.CliContext;
import dev.patchbay.core.command.PatchbayCommand;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.NetworkStack;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import org.osgi.service.component.annotations.Reference;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * What the ip-style commands ({@code link}, {@code addr}, {@code route}, {@code rule}, {@code neigh}) share:
 * {@code patchbay X} alone lists what {@code patchbay X show} lists; a verb parses all its words before anything is
 * opened, so nothing changes when one is bad, then acts on one handle of the {@code -n} namespace; a listing is
 * printed, as JSON or text, once the handle is closed. (DS finds the inherited {@code stack} reference: the bundle
 * is built with {@code -dsannotations-options: inherit}.)
 *
 * @param <V> a listed object as printed (JSON keys follow {@code ip -j})
 * @param <F> what {@code show} narrows the listing to; null lists everything
 */
abstract class IpCommand<V, F> implements PatchbayCommand {
    @Reference
    NetworkStack stack;

    @Spec
    CommandSpec spec;

    /** What {@code show} lists, read through {@code h}. */
    abstract List<V> list(NetnsHandle h, F filter);

    /** The text form of a listing. */
    abstract String text(List<V> views);

    @Override
    public Integer call() {
        return show(spec, null);
    }

    int show(CommandSpec at, F filter) {
        List<V> views;
        try (NetnsHandle h = Cli.open(stack, at)) {
            views = list(h, filter);
        }
        CliContext.of(at).print(views, () -> text(views));
        return 0;
    }

    /**
     * A verb of the command. Its words are the positional parameters each verb declares itself (with its own arity and
     * label, as its help shows them); {@link #words} reads them, named like {@code addr add} in messages.
     */
    abstract static class Verb<P extends IpCommand<?, ?>> implements Callable<Integer> {
        @ParentCommand
        P parent;
        @Spec
        CommandSpec spec;

        Cli.Words words() {
            List<PositionalParamSpec> declared = spec.positionalParameters();
            return new Cli.Words(parent.spec.name() + " " + spec.name(), declared.isEmpty() ? null : declared.get(0).getValue());
        }
    }

    /** A verb that changes something: {@link #parse} turns the words into the change, made on one handle. */
    abstract static class Change extends Verb<IpCommand<?, ?>> {
        abstract Consumer<NetnsHandle> parse(Cli.Words w);

        @Override
        public Integer call() {
            Consumer<NetnsHandle> change = parse(words());
            try (NetnsHandle h = Cli.open(parent.stack, spec)) {
                change.accept(h);
            }
            return 0;
        }
    }

    /**
     * A change that is one operation of the handle on what the words describe: {@code RouteOps::add} on a route.
     *
     * @param <O> the operations it uses, e.g. {@link NetnsHandle#routes}
     * @param <T> what the words describe
     */
    abstract static class Apply<O, T> extends Change {
        private final Function<NetnsHandle, O> ops;
        private final Function<Cli.Words, T> parser;
        private final BiConsumer<O, T> op;

        Apply(Function<NetnsHandle, O> ops, Function<Cli.Words, T> parser, BiConsumer<O, T> op) {
            this.ops = ops;
            this.parser = parser;
            this.op = op;
        }

        @Override
        Consumer<NetnsHandle> parse(Cli.Words w) {
            T parsed = parser.apply(w);
            return h -> op.accept(ops.apply(h), parsed);
        }
    }

    /** {@code show}: what its words narrow the listing to ({@link #parse}; by default it takes none), then the listing. */
    abstract static class Show<P extends IpCommand<?, F>, F> extends Verb<P> {
        F parse(Cli.Words w) {
            return null;
        }

        @Override
        public Integer call() {
            return parent.show(spec, parse(words()));
        }
    }
}
