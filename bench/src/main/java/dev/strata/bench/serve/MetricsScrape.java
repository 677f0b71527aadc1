package dev.strata.bench.serve;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Prometheus text-format scrape of {@code GET /metrics}, read for the few sums the load check
 * compares: the sum of one metric's samples whose labels include the given ones.
 */
record MetricsScrape(String text) {
    private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+(\\S+)$");

    /** The sum of {@code name}'s samples carrying every label of {@code labels}; 0 when there are none. */
    double sum(String name, Map<String, String> labels) {
        double total = 0;
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(line.strip());
            if (!m.matches() || !m.group(1).equals(name)) {
                continue;
            }
            String labelText = m.group(3) == null ? "" : m.group(3);
            boolean all = true;
            for (Map.Entry<String, String> l : labels.entrySet()) {
                all &= labelText.contains(l.getKey() + "=\"" + l.getValue() + "\"");
            }
            if (all) {
                total += Double.parseDouble(m.group(4));
            }
        }
        return total;
    }
}
