package dev.strata.engine.template;

/**
 * The errors a template raises while it renders, carried out of Jinjava (which records errors
 * instead of stopping) and turned into {@link dev.strata.engine.EngineException.InvalidRequest}
 * by {@link ChatTemplate}. The message is exactly the template's, as Python jinja2 would give it.
 */
sealed class TemplateRaise extends RuntimeException {

    TemplateRaise(String message) {
        super(message, null, false, false);
    }

    /** {@code raise_exception(msg)} called by the template: the model's own rule was broken. */
    static final class Raised extends TemplateRaise {
        Raised(String message) {
            super(message);
        }
    }

    /** A variable or attribute the template needs was not given (jinja2's {@code UndefinedError}). */
    static final class Undefined extends TemplateRaise {
        Undefined(String message) {
            super(message);
        }
    }

    /** An operation Python would reject (jinja2's {@code TypeError}, {@code ValueError}...). */
    static final class TypeError extends TemplateRaise {
        TypeError(String message) {
            super(message);
        }
    }
}
