package landscape.testinfra.mskiam;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses the one JSON shape the MSK IAM client sends: a single object whose values are strings. Anything else
 * (nesting, numbers, duplicate keys, trailing data) is refused, so a payload cannot smuggle a second value past the
 * checks. Kept dependency-free so that the broker needs nothing beyond Kafka's own jars.
 */
final class FlatJson {
    private final String text;
    private int pos;

    private FlatJson(String text) {
        this.text = text;
    }

    static Map<String, String> parseObject(String text) {
        FlatJson parser = new FlatJson(text);
        Map<String, String> result = parser.object();
        parser.whitespace();
        if (parser.pos != text.length()) throw new IllegalArgumentException("trailing data after the JSON object");
        return result;
    }

    private Map<String, String> object() {
        Map<String, String> result = new LinkedHashMap<>();
        whitespace();
        expect('{');
        whitespace();
        if (peek() == '}') {
            pos++;
            return result;
        }
        while (true) {
            whitespace();
            String key = string();
            whitespace();
            expect(':');
            whitespace();
            String value = string();
            if (result.put(key, value) != null) throw new IllegalArgumentException("duplicate key \"" + key + "\"");
            whitespace();
            char c = next();
            if (c == '}') return result;
            if (c != ',') throw new IllegalArgumentException("expected ',' or '}' at offset " + (pos - 1));
        }
    }

    private String string() {
        expect('"');
        StringBuilder out = new StringBuilder();
        while (true) {
            char c = next();
            if (c == '"') return out.toString();
            if (c < 0x20) throw new IllegalArgumentException("control character in a string at offset " + (pos - 1));
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char e = next();
            switch (e) {
                case '"', '\\', '/' -> out.append(e);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    if (pos + 4 > text.length()) throw new IllegalArgumentException("truncated \\u escape");
                    out.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                    pos += 4;
                }
                default -> throw new IllegalArgumentException("bad escape \\" + e + " at offset " + (pos - 1));
            }
        }
    }

    private void whitespace() {
        while (pos < text.length() && " \t\r\n".indexOf(text.charAt(pos)) >= 0) pos++;
    }

    private char peek() {
        if (pos >= text.length()) throw new IllegalArgumentException("unexpected end of JSON");
        return text.charAt(pos);
    }

    private char next() {
        char c = peek();
        pos++;
        return c;
    }

    private void expect(char c) {
        if (next() != c) throw new IllegalArgumentException("expected '" + c + "' at offset " + (pos - 1));
    }
}
