package dev.jgo.assembly.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * The commands the README and docs/ show still exist: every {@code jgo COMMAND --flag} they
 * mention names an option of that command, every command line in a code block parses, and every
 * documented usage error ({@code $ java -jar jgo.jar ...} followed by {@code jgo: ...}) is the one the
 * CLI prints.
 */
class DocumentedCommandsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    /** {@code jgo} or {@code jgo.jar}, a command, the rest of the line. */
    private static final Pattern MENTION =
            Pattern.compile("\\bjgo(?:\\.jar)?\\s+(bench|compare|serve|osgi|version|completion|help)\\b(.*)");

    /** A command line as the docs show it. */
    private record Mention(Path file, int line, String command, List<String> args, boolean inCode, String text) {
        String where() {
            return ROOT.relativize(file) + ":" + line + ": " + text.strip();
        }
    }

    private static List<Path> documents() throws IOException {
        List<Path> docs = new ArrayList<>();
        docs.add(ROOT.resolve("README.md"));
        try (Stream<Path> s = Files.walk(ROOT.resolve("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }

    /** Every mention of a command in the documents, continuation lines joined. */
    private static List<Mention> mentions() throws IOException {
        List<Mention> out = new ArrayList<>();
        for (Path doc : documents()) {
            List<String> lines = Files.readAllLines(doc);
            boolean code = false;
            for (int i = 0; i < lines.size(); i++) {
                String l = lines.get(i);
                if (l.strip().startsWith("```")) {
                    code = !code;
                    continue;
                }
                int first = i;
                while (code && l.endsWith("\\") && i + 1 < lines.size()) {
                    l = l.substring(0, l.length() - 1) + " " + lines.get(++i).strip();
                }
                boolean shownError = l.startsWith("$ ")
                        && i + 1 < lines.size()
                        && lines.get(i + 1).startsWith("jgo: ");
                Matcher m = MENTION.matcher(l);
                while (!shownError && m.find()) { // a shown error is checked on its own
                    out.add(new Mention(doc, first + 1, m.group(1), words(m.group(2)), code, l));
                }
            }
        }
        return out;
    }

    /**
     * The words of a shell command line up to its end (a comment, a pipe, a closing backtick or
     * parenthesis), quotes removed.
     */
    static List<String> words(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder w = null;
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    w.append(c);
                }
                continue;
            }
            if (c == '\'' || c == '"') {
                quote = c;
                w = w == null ? new StringBuilder() : w;
                continue;
            }
            if ("#|;&)`<>".indexOf(c) >= 0 || c == ',' && w == null) {
                break;
            }
            if (Character.isWhitespace(c)) {
                if (w != null) {
                    out.add(w.toString());
                    w = null;
                }
                continue;
            }
            w = w == null ? new StringBuilder() : w;
            w.append(c);
        }
        if (w != null) {
            out.add(w.toString());
        }
        // prose ends a mention at the end of a sentence
        if (!out.isEmpty() && out.getLast().endsWith(".")) {
            out.set(out.size() - 1, out.getLast().substring(0, out.getLast().length() - 1));
        }
        return out;
    }

    private static CommandLine.Model.CommandSpec spec(String command) {
        CommandLine cl = Main.commandLine(null);
        return cl.getSubcommands().get(command).getCommandSpec();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void everyDocumentedFlagIsAnOptionOfItsCommand() throws IOException {
        List<Mention> ms = mentions();
        assertTrue(ms.size() > 40, "the documents' commands were found: " + ms.size());
        List<String> missing = new ArrayList<>();
        int flags = 0;
        for (Mention m : ms) {
            CommandLine.Model.CommandSpec spec = spec(m.command());
            for (String a : m.args()) {
                if (!a.startsWith("--")) {
                    continue;
                }
                flags++;
                String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
                if (spec.findOption(name) == null) {
                    missing.add(name + " (" + m.where() + ")");
                }
            }
        }
        assertTrue(flags > 60, "the documents' flags were found: " + flags);
        assertEquals(List.of(), missing, "documented flags that the CLI does not know");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void everyDocumentedCommandLineParses() throws IOException {
        List<String> bad = new ArrayList<>();
        int parsed = 0;
        for (Mention m : mentions()) {
            if (!m.inCode() || !m.text().contains("jgo.jar")) {
                continue;
            }
            CommandLine cl = Main.commandLine(null);
            List<String> args = new ArrayList<>();
            args.add(m.command());
            args.addAll(m.args());
            try {
                cl.parseArgs(args.toArray(String[]::new));
                parsed++;
            } catch (CommandLine.ParameterException e) {
                bad.add(m.where() + " -> " + e.getMessage());
            }
        }
        assertTrue(parsed > 30, "the documents' command lines were parsed: " + parsed);
        assertEquals(List.of(), bad, "documented command lines that do not parse");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void everyDocumentedErrorIsTheOneTheCliPrints() throws IOException {
        int checked = 0;
        for (Path doc : documents()) {
            List<String> lines = Files.readAllLines(doc);
            for (int i = 0; i + 1 < lines.size(); i++) {
                Matcher m =
                        Pattern.compile("^\\$ java .*-jar \\S*jgo\\.jar (.*)$").matcher(lines.get(i));
                // only bad command lines: a failure while running would need its circumstances
                if (!m.find()
                        || !lines.get(i + 1).startsWith("jgo: ")
                        || lines.get(i + 1).contains(" failed: ")) {
                    continue;
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                ByteArrayOutputStream err = new ByteArrayOutputStream();
                int rc = Main.run(
                        words(m.group(1)).toArray(String[]::new),
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
                String where = ROOT.relativize(doc) + ":" + (i + 1);
                assertEquals(2, rc, where);
                assertEquals(
                        lines.get(i + 1),
                        err.toString(StandardCharsets.UTF_8).lines().findFirst().orElse(""),
                        where);
                checked++;
            }
        }
        assertTrue(checked >= 4, "the README's error examples were found: " + checked);
    }
}
