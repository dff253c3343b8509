package dev.patchbay.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test that needs the kernel: it runs only inside the sandbox JVM (see {@code .ci/sandbox-java}),
 * gets a {@link Sandbox} parameter for its throwaway namespaces, and fails if it leaves anything
 * behind. In CI, or when the build expects a sandbox, a missing sandbox or privilege fails the test
 * instead of skipping it.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("netns")
@ExtendWith(NetnsExtension.class)
public @interface NetnsTest {
}
