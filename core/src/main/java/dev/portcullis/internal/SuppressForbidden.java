package dev.portcullis.internal;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the few places that may use an API the build bans (see {@code build/forbidden-apis.txt}), such as the
 * single spot that hands the system clock to code that otherwise takes an injected one. Every use states why.
 *
 * <p>Unsupported outside Portcullis: this package is internal.
 */
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.CONSTRUCTOR, ElementType.FIELD})
public @interface SuppressForbidden {
  /** Why the banned API is right here. */
  String reason();
}
