package dev.strata.server.cost;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Usage kept in memory as one running total per tenant, model and UTC day: memory grows with the
 * number of distinct (tenant, model, day) triples, never with the number of calls. Totals are lost
 * when the process stops.
 */
public final class InMemoryUsageStore implements UsageStore {
    private final Map<Key, UsageTotal> totals = new ConcurrentHashMap<>();

    private record Key(String tenant, String model, LocalDate day) {}

    @Override
    public void add(UsageEntry e) {
        LocalDate day = LocalDate.ofInstant(e.at(), ZoneOffset.UTC);
        totals.merge(new Key(e.tenant(), e.model(), day),
                new UsageTotal(e.tenant(), e.model(), day, 1, e.promptTokens(), e.completionTokens(), e.costUsd()),
                (a, b) -> new UsageTotal(a.tenant(), a.model(), a.day(), a.requests() + b.requests(),
                        a.promptTokens() + b.promptTokens(), a.completionTokens() + b.completionTokens(),
                        a.costUsd() + b.costUsd()));
    }

    @Override
    public List<UsageTotal> totals(UsageQuery query) {
        List<UsageTotal> out = new ArrayList<>();
        for (UsageTotal t : totals.values()) {
            if (!t.day().isBefore(query.from()) && !t.day().isAfter(query.to())
                    && query.tenant().map(t.tenant()::equals).orElse(true)) {
                out.add(t);
            }
        }
        out.sort(Comparator.comparing(UsageTotal::day).thenComparing(UsageTotal::tenant)
                .thenComparing(UsageTotal::model));
        return out;
    }
}
