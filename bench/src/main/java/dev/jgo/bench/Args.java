package dev.jgo.bench;

import java.util.ArrayList;
import java.util.List;

/** Command-line value parsing shared by the CLI's commands; bad input throws {@link UsageException}. */
public final class Args {
    private Args() {}

    /** A comma-separated list of non-empty names. */
    public static List<String> splitList(String option, String value) {
        List<String> out = new ArrayList<>();
        for (String s : value.split(",", -1)) {
            String t = s.strip();
            if (t.isEmpty()) {
                throw new UsageException("option " + option + ": empty name in '" + value + "'");
            }
            out.add(t);
        }
        return out;
    }

    /** An integer of at least {@code min} ({@code _} separators allowed). */
    public static int parseInt(String option, String value, int min) {
        return parseInt(option, value, min, Integer.MAX_VALUE);
    }

    /** An integer in {@code [min, max]} ({@code _} separators allowed). */
    public static int parseInt(String option, String value, int min, int max) {
        int v;
        try {
            v = Integer.parseInt(value.strip().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new UsageException("option " + option + " needs an integer, got '" + value + "'");
        }
        if (v < min || v > max) {
            throw new UsageException(
                    max == Integer.MAX_VALUE
                            ? "option " + option + " must be at least " + min + ", got " + v
                            : "option " + option + " must be in [" + min + ", " + max + "], got " + v);
        }
        return v;
    }
}
