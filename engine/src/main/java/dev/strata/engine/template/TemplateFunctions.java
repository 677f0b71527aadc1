package dev.strata.engine.template;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import com.hubspot.jinjava.el.ext.NamedParameter;
import com.hubspot.jinjava.objects.Namespace;

/**
 * The globals Hugging Face adds to a chat template's environment. Jinjava calls functions as static
 * methods; the clock comes from the render's own config ({@code DateTimeProvider} and time zone,
 * built from the {@link java.time.Clock} in {@link TemplateOptions}), so nothing here is global.
 */
final class TemplateFunctions {

    private TemplateFunctions() {}

    /** {@code raise_exception(message)}: the template refuses the conversation. */
    public static Object raiseException(Object message) {
        throw new TemplateRaise.Raised(PyValues.str(NoneValue.unwrap(message)));
    }

    /**
     * {@code namespace(a=1, b=None)} (or {@code namespace(dict, ...)}): a mutable attribute holder
     * for {@code {% set ns.x = ... %}}. Unlike Jinjava's, it keeps attributes set to {@code None}.
     */
    public static Object namespace(Object... params) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Object raw : params) {
            Object p = NoneValue.unwrap(raw);
            if (p instanceof NamedParameter named) {
                values.put(named.getName(), NoneValue.unwrap(named.getValue()));
            } else if (p instanceof Map<?, ?> m) {
                m.forEach((k, v) -> values.put(String.valueOf(k), v));
            }
        }
        return new Namespace(values);
    }

    /** jinja2's {@code dict(a=1, b=2)}: a new dict of the keyword arguments. */
    public static Object dict(Object... params) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Object raw : params) {
            Object p = NoneValue.unwrap(raw);
            if (p instanceof NamedParameter named) {
                values.put(named.getName(), NoneValue.unwrap(named.getValue()));
            } else if (p instanceof Map<?, ?> m) {
                m.forEach((k, v) -> values.put(String.valueOf(k), v));
            }
        }
        return values;
    }

    /** {@code strftime_now(format)}: the current local time in Python's strftime format. */
    public static String strftimeNow(Object format) {
        JinjavaInterpreter interpreter = JinjavaInterpreter.getCurrent();
        long millis = interpreter.getConfig().getDateTimeProvider().getCurrentTimeMillis();
        ZonedDateTime now = Instant.ofEpochMilli(millis).atZone(interpreter.getConfig().getTimeZone());
        return strftime(now, PyValues.str(NoneValue.unwrap(format)));
    }

    private static final String[] DAYS = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
    private static final String[] MONTHS = {"January", "February", "March", "April", "May", "June", "July",
        "August", "September", "October", "November", "December"};

    /** Python's {@code datetime.strftime} for the C locale, with glibc's {@code %-d} (no padding). */
    static String strftime(ZonedDateTime t, String format) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 >= format.length()) {
                sb.append(c);
                continue;
            }
            char code = format.charAt(++i);
            boolean pad = true;
            if (code == '-' && i + 1 < format.length()) {
                pad = false;
                code = format.charAt(++i);
            }
            String day = DAYS[t.getDayOfWeek().getValue() - 1];
            String month = MONTHS[t.getMonthValue() - 1];
            int hour12 = t.getHour() % 12 == 0 ? 12 : t.getHour() % 12;
            switch (code) {
                case 'a' -> sb.append(day, 0, 3);
                case 'A' -> sb.append(day);
                case 'b', 'h' -> sb.append(month, 0, 3);
                case 'B' -> sb.append(month);
                case 'd' -> sb.append(num(t.getDayOfMonth(), 2, pad));
                case 'e' -> sb.append(String.format(Locale.ROOT, "%2d", t.getDayOfMonth()));
                case 'm' -> sb.append(num(t.getMonthValue(), 2, pad));
                case 'y' -> sb.append(num(t.getYear() % 100, 2, pad));
                case 'Y' -> sb.append(t.getYear());
                case 'H' -> sb.append(num(t.getHour(), 2, pad));
                case 'I' -> sb.append(num(hour12, 2, pad));
                case 'M' -> sb.append(num(t.getMinute(), 2, pad));
                case 'S' -> sb.append(num(t.getSecond(), 2, pad));
                case 'f' -> sb.append(num(t.getNano() / 1000, 6, true));
                case 'p' -> sb.append(t.getHour() < 12 ? "AM" : "PM");
                case 'j' -> sb.append(num(t.getDayOfYear(), 3, pad));
                case 'w' -> sb.append(t.getDayOfWeek().getValue() % 7);
                case 'u' -> sb.append(t.getDayOfWeek().getValue());
                case 'Z' -> sb.append(t.getZone().getId().equals("Z") ? "UTC" : t.getZone().getId());
                case 'z' -> sb.append(t.getOffset().getId().equals("Z") ? "+0000" : t.getOffset().getId().replace(":", ""));
                case 'F' -> sb.append(t.getYear()).append('-').append(num(t.getMonthValue(), 2, true))
                        .append('-').append(num(t.getDayOfMonth(), 2, true));
                case 'D' -> sb.append(num(t.getMonthValue(), 2, true)).append('/')
                        .append(num(t.getDayOfMonth(), 2, true)).append('/').append(num(t.getYear() % 100, 2, true));
                case 'T' -> sb.append(num(t.getHour(), 2, true)).append(':').append(num(t.getMinute(), 2, true))
                        .append(':').append(num(t.getSecond(), 2, true));
                case '%' -> sb.append('%');
                default -> sb.append('%').append(pad ? "" : "-").append(code);
            }
        }
        return sb.toString();
    }

    private static String num(int value, int width, boolean pad) {
        String s = Integer.toString(value);
        return pad && s.length() < width ? "0".repeat(width - s.length()) + s : s;
    }
}
