package dev.strata.engine.template;

import com.hubspot.jinjava.util.HasObjectTruthValue;

/**
 * Python jinja2's {@code Undefined}: what a template sees for a variable nobody passed or a key a
 * dict does not have. It is falsy, prints as nothing, iterates as empty and is "not defined", but
 * any real use of it (an attribute, {@code +}, a call) raises {@link TemplateRaise.Undefined} with
 * jinja2's message, e.g. {@code 'functions' is undefined}. Jinjava itself would hand out
 * {@code null}, which cannot tell a missing key from an explicit {@code None}.
 */
record PyUndefined(String hint) implements HasObjectTruthValue {

    static PyUndefined name(String name) {
        return new PyUndefined("'" + name + "' is undefined");
    }

    static PyUndefined attribute(Object owner, Object key) {
        return new PyUndefined("'" + PyValues.typeName(owner) + "' has no attribute '" + key + "'");
    }

    @Override
    public boolean getObjectTruthValue() {
        return false;
    }

    /** Prints as nothing, like jinja2's {@code str(Undefined)}; {@code +} raises (see {@link PyExpressions}). */
    @Override
    public String toString() {
        return "";
    }
}
