package dev.strata.server.route;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.server.backend.Backend;
import dev.strata.server.backend.Pool;
import dev.strata.server.backend.PoolPolicy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * One immutable generation of the routing config, with its backends built. A reload builds a new
 * table and swaps it in; calls in flight finish on the table they started with. Upstreams and pools
 * whose spec did not change are carried over from the previous table, so connections, outstanding
 * counts and ejections survive a reload.
 */
final class RouteTable {
    final RoutesConfig config;
    final Map<String, Backend> backends;
    final Map<String, Pool> pools;
    final Map<String, RoutesConfig.RouteSpec> routes;
    final Map<String, Cascade> cascades;
    final Map<String, RetryBudget> budgets;
    final Rules rules;
    private final Map<Object, Backend> bySpec;

    private RouteTable(RoutesConfig config, Map<String, Backend> backends, Map<String, Pool> pools,
            Map<Object, Backend> bySpec, ObjectMapper json) {
        this.config = config;
        this.backends = Map.copyOf(backends);
        this.pools = Map.copyOf(pools);
        this.bySpec = Map.copyOf(bySpec);
        Map<String, RoutesConfig.RouteSpec> routes = new LinkedHashMap<>();
        Map<String, Cascade> cascades = new LinkedHashMap<>();
        Map<String, RetryBudget> budgets = new LinkedHashMap<>();
        for (RoutesConfig.RouteSpec r : config.routes()) {
            routes.put(r.name(), r);
            if (r.cascade() != null) {
                cascades.put(r.name(), new Cascade(r.cascade(), json));
            }
            budgets.put(r.name(), new RetryBudget(r.retry().budgetRatio(), r.retry().budgetMinRetries()));
        }
        this.routes = Map.copyOf(routes);
        this.cascades = Map.copyOf(cascades);
        this.budgets = Map.copyOf(budgets);
        Map<RoutesConfig.RuleSpec, Classifier> classifiers = new java.util.HashMap<>();
        for (RoutesConfig.RuleSpec rule : config.rules()) {
            if (rule.classifier() != null) {
                classifiers.put(rule, new Classifier(rule.classifier(), this.backends.get(rule.classifier().model()),
                        json));
            }
        }
        this.rules = new Rules(config, classifiers);
    }

    static RouteTable build(RoutesConfig config, BackendFactory factory, RouteTable previous, LongSupplier nanoClock,
            ObjectMapper json) {
        Map<Object, Backend> old = previous == null ? Map.of() : previous.bySpec;
        Map<Object, Backend> bySpec = new LinkedHashMap<>();
        Map<String, Backend> backends = new LinkedHashMap<>();
        for (RoutesConfig.UpstreamSpec u : config.upstreams()) {
            Backend b = old.containsKey(u) ? old.get(u) : factory.create(u);
            bySpec.put(u, b);
            backends.put(u.name(), b);
        }
        Map<String, Pool> pools = new LinkedHashMap<>();
        for (RoutesConfig.PoolSpec p : config.pools()) {
            List<Object> key = List.of(p, p.replicas().stream().map(r -> (Object) bySpec.get(specOf(config, r)))
                    .toList());
            Pool pool = old.get(key) instanceof Pool reused ? reused
                    : new Pool(p.name(), p.replicas().stream().map(backends::get).toList(),
                            new PoolPolicy(p.affinityMessages(), p.affinitySlack(), p.ejectAfterFailures(),
                                    p.ejectMillis() * 1_000_000), nanoClock);
            bySpec.put(key, pool);
            pools.put(p.name(), pool);
            backends.put(p.name(), pool);
        }
        return new RouteTable(config, backends, pools, bySpec, json);
    }

    private static RoutesConfig.UpstreamSpec specOf(RoutesConfig config, String name) {
        return config.upstreams().stream().filter(u -> u.name().equals(name)).findFirst().orElseThrow();
    }

    List<Backend> chain(List<String> names) {
        Backend[] chain = new Backend[names.size()];
        for (int i = 0; i < chain.length; i++) {
            chain[i] = backends.get(names.get(i));
        }
        return java.util.Arrays.asList(chain);
    }
}
