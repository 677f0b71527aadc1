package dev.strata.server.route;

import dev.strata.server.route.RoutesConfig.RuleSpec;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Picks the route of a request: the first rule that matches, then an alias of the requested model,
 * then a route named like the model; a model served locally stays local; otherwise the default route.
 * A rule matches when every condition it sets holds; a classifier rule then asks its model for a label
 * and takes that label's route (no label: the next rule is tried).
 */
final class Rules {
    private final List<RuleSpec> rules;
    private final Map<String, String> aliases;
    private final java.util.Set<String> routeNames;
    private final String defaultRoute;
    private final Map<RuleSpec, Classifier> classifiers;

    Rules(RoutesConfig config) {
        this(config, Map.of());
    }

    /** @param classifiers the classifier of each classifier rule */
    Rules(RoutesConfig config, Map<RuleSpec, Classifier> classifiers) {
        this.classifiers = Map.copyOf(classifiers);
        this.rules = config.rules();
        this.aliases = config.aliases();
        this.routeNames = config.routes().stream().map(RoutesConfig.RouteSpec::name)
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
        this.defaultRoute = config.defaultRoute();
    }

    /** The route name, or {@code null} when the request is for the local engine. */
    String select(RequestFeatures f, Predicate<String> servedLocally) {
        for (RuleSpec rule : rules) {
            if (matches(rule, f)) {
                if (rule.classifier() == null) {
                    return rule.route();
                }
                Classifier classifier = classifiers.get(rule);
                String label = classifier == null ? null : classifier.label(f.text());
                if (label != null) {
                    return classifier.routeOf(label);
                }
            }
        }
        String alias = aliases.get(f.model());
        if (alias != null) {
            return alias;
        }
        if (routeNames.contains(f.model())) {
            return f.model();
        }
        if (servedLocally.test(f.model())) {
            return null;
        }
        return defaultRoute;
    }

    static boolean matches(RuleSpec rule, RequestFeatures f) {
        if (!rule.models().isEmpty() && !rule.models().contains(f.model())) {
            return false;
        }
        if (!rule.tenants().isEmpty() && (f.tenant() == null || !rule.tenants().contains(f.tenant()))) {
            return false;
        }
        for (Map.Entry<String, String> tag : rule.tags().entrySet()) {
            if (!tag.getValue().equals(f.tags().get(tag.getKey()))) {
                return false;
            }
        }
        if (f.promptTokens() < rule.minPromptTokens() || f.promptTokens() > rule.maxPromptTokens()) {
            return false;
        }
        if (rule.regex() != null && !rule.regex().matcher(f.text()).find()) {
            return false;
        }
        if (!rule.keywords().isEmpty()) {
            String lower = f.text().toLowerCase(Locale.ROOT);
            if (rule.keywords().stream().noneMatch(lower::contains)) {
                return false;
            }
        }
        return rule.images() == null || rule.images() == f.hasImages();
    }
}
