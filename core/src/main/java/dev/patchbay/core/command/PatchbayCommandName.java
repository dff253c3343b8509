package dev.patchbay.core.command;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.osgi.service.component.annotations.ComponentPropertyType;

/** Component property type: registers the {@code patchbay.command.name} service property. */
@ComponentPropertyType
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface PatchbayCommandName {
    /** The service property this annotation sets. */
    String PROPERTY = "patchbay.command.name";

    String value();
}
