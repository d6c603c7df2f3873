package dev.jgo.bench;

import dev.jgo.bench.Compare.Cell;
import java.util.List;
import java.util.Locale;

/**
 * One workload's {@code compare} results as a horizontal bar chart in plain SVG: per processor
 * count and policy combination, a bar of the median wall time with a whisker from the fastest to
 * the slowest run, and a thinner bar of the median process CPU time beneath it.
 */
final class CompareChart {
    private static final int LEFT = 230;
    private static final int PLOT = 460;
    private static final int ROW = 26;
    private static final int TOP = 56;
    private static final String[] COLOURS = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948"};

    private CompareChart() {}

    /** The SVG document for {@code cells}, all of workload {@code workload}. */
    static String svg(String workload, List<Cell> cells) {
        double max = 1;
        for (Cell c : cells) {
            max = Math.max(max, c.maxWallNanos());
            max = Math.max(max, c.medianCpuNanos());
        }
        max = niceCeil(max / 1e6);
        int width = LEFT + PLOT + 90;
        int height = TOP + ROW * cells.size() + 40;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                        + " font-family=\"sans-serif\" font-size=\"12\">\n",
                width,
                height,
                width,
                height));
        sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", width, height));
        sb.append(text(
                10,
                20,
                "jgo compare: " + workload + " (n="
                        + (cells.isEmpty() ? 0 : cells.get(0).n())
                        + "), median wall time, whisker min-max; thin bar: process CPU time",
                "bold"));
        sb.append(text(10, 38, "label: procs  steal/spin/fair", null));
        for (int t = 0; t <= 4; t++) {
            double v = max * t / 4;
            int x = LEFT + (int) Math.round(PLOT * t / 4.0);
            sb.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>\n",
                    x,
                    TOP - 6,
                    x,
                    TOP + ROW * cells.size()));
            sb.append(text(x - 10, TOP + ROW * cells.size() + 16, fmt(v) + " ms", null));
        }
        List<Integer> procs = cells.stream().map(Cell::procs).distinct().toList();
        for (int i = 0; i < cells.size(); i++) {
            Cell c = cells.get(i);
            int y = TOP + ROW * i;
            String colour = COLOURS[procs.indexOf(c.procs()) % COLOURS.length];
            double wall = c.medianWallNanos() / 1e6;
            double cpu = c.medianCpuNanos() / 1e6;
            sb.append(text(10, y + 13, "P=" + c.procs() + "  " + c.policies().label(), null));
            sb.append(String.format(
                    Locale.ROOT,
                    "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"14\" fill=\"%s\"><title>%s: %s ms</title></rect>\n",
                    LEFT,
                    y + 2,
                    scale(wall, max),
                    colour,
                    esc(c.policies().label()),
                    fmt(wall)));
            if (cpu >= 0) {
                sb.append(String.format(
                        Locale.ROOT,
                        "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"5\" fill=\"%s\" fill-opacity=\"0.45\">"
                                + "<title>cpu %s ms</title></rect>\n",
                        LEFT,
                        y + 17,
                        scale(cpu, max),
                        colour,
                        fmt(cpu)));
            }
            double lo = LEFT + scale(c.minWallNanos() / 1e6, max);
            double hi = LEFT + scale(c.maxWallNanos() / 1e6, max);
            sb.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\"/>\n",
                    lo,
                    y + 9,
                    hi,
                    y + 9));
            sb.append(text((int) Math.round(hi) + 6, y + 13, fmt(wall) + " ms", null));
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static double scale(double v, double max) {
        return Math.max(0, PLOT * v / max);
    }

    /** The smallest of 1, 2, 2.5, 5 times a power of ten that is at least {@code v}. */
    static double niceCeil(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String fmt(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String text(int x, int y, String s, String weight) {
        return String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\"%s>%s</text>\n",
                x,
                y,
                weight == null ? "" : " font-weight=\"" + weight + "\"",
                esc(s));
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
