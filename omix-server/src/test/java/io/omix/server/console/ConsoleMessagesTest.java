package io.omix.server.console;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Both languages say everything: the same keys in Chinese and English, and every key the pages and their script use exists. */
class ConsoleMessagesTest {
    static final String BASE = "io/omix/server/console/";
    static final String[] TEMPLATES = {"layout", "login", "forbidden", "samples", "sample", "streams", "files", "admin-apps", "admin-users",
            "admin-samples", "admin-imports", "admin-tasks", "admin-datasets"};

    private static String resource(String name) throws IOException {
        try (InputStream in = ConsoleMessagesTest.class.getClassLoader().getResourceAsStream(BASE + name)) {
            if (in == null) throw new AssertionError("missing " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Set<String> found(String text, Pattern p) {
        Set<String> out = new TreeSet<>();
        Matcher m = p.matcher(text);
        while (m.find()) out.add(m.group(1));
        return out;
    }

    @Test
    void everyKeyIsInBothLanguagesAndEveryUsedKeyExists() throws IOException {
        ConsoleViews views = new ConsoleViews();
        Set<String> zh = views.messages("zh").keySet();
        Set<String> en = views.messages("en").keySet();
        assertEquals(en, zh, "the same keys in both languages");
        Set<String> used = new TreeSet<>();
        for (String t : TEMPLATES) used.addAll(found(resource("templates/" + t + ".mustache"), Pattern.compile("\\{\\{t\\.([a-z_]+)}}")));
        used.addAll(found(resource("assets/console.js"), Pattern.compile("\\bt\\('([a-z_]+)'\\)")));
        // Column headers and titles given to table() and the pages by key.
        used.addAll(found(resource("assets/console.js"), Pattern.compile("'((?:col|nav)_[a-z_]+)'")));
        for (ConsoleCapability.Page p : ConsoleCapability.USER_PAGES) used.add(p.title());
        for (ConsoleCapability.Page p : ConsoleCapability.OPERATOR_PAGES) used.add(p.title());
        Set<String> missing = new TreeSet<>(used);
        missing.removeAll(en);
        assertTrue(missing.isEmpty(), "keys used but not defined: " + missing);
        assertTrue(used.size() > 80, "the scan found the keys: " + used.size());
    }
}
