package dev.jgo.guice;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.METHOD;
import static java.lang.annotation.ElementType.PARAMETER;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import com.google.inject.BindingAnnotation;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;

/**
 * Qualifies the {@code Integer} GOMAXPROCS of the runtime {@link JgoModule} builds (default: the
 * available processors); override it with {@code OptionalBinder.newOptionalBinder(binder(),
 * Key.get(Integer.class, JgoProcs.class)).setBinding().toInstance(4)}.
 */
@BindingAnnotation
@Retention(RUNTIME)
@Target({FIELD, PARAMETER, METHOD})
public @interface JgoProcs {}
