package dev.patchbay.state;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonWriter;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.IpPrefix;
import dev.patchbay.core.model.MacAddress;
import dev.patchbay.core.model.PortMapping;
import java.io.IOException;
import java.net.InetAddress;
import java.util.function.Function;

/**
 * The JSON encoding of Patchbay's state files, read and written: model values as their text forms
 * ({@code "10.0.0.0/24"}, {@code "eth0"}, {@code "8080:80/tcp"}), records as objects, nulls kept; what it writes is
 * what output writes ({@link dev.patchbay.core.command.CliContext#gson}), on one line.
 */
public final class Json {
    private static final Gson COMPACT = builder().create();

    private Json() {
    }

    /** For state files: one line. */
    public static Gson compact() {
        return COMPACT;
    }

    public static GsonBuilder builder() {
        return new GsonBuilder().disableHtmlEscaping().serializeNulls()
                .registerTypeHierarchyAdapter(InetAddress.class, text(IpAddresses::format, s -> IpAddresses.parse("address", s)))
                .registerTypeAdapter(IpPrefix.class, text(IpPrefix::toString, IpPrefix::parse))
                .registerTypeAdapter(IfName.class, text(IfName::value, IfName::new))
                .registerTypeAdapter(MacAddress.class, text(MacAddress::value, MacAddress::new))
                .registerTypeAdapter(PortMapping.class, text(PortMapping::toString, PortMapping::parse));
    }

    private static <T> TypeAdapter<T> text(Function<T, String> format, Function<String, T> parse) {
        return new TypeAdapter<T>() {
            @Override
            public void write(JsonWriter out, T value) throws IOException {
                out.value(format.apply(value)); // never null: nullSafe() below writes and reads nulls
            }

            @Override
            public T read(JsonReader in) throws IOException {
                String s = in.nextString();
                try {
                    return parse.apply(s);
                } catch (RuntimeException e) {
                    throw new JsonParseException("bad value \"" + s + "\": " + e.getMessage(), e);
                }
            }
        }.nullSafe();
    }
}
