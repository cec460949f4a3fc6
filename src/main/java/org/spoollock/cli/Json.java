package org.spoollock.cli;

/** A tiny JSON object writer for the CLI's --json output (flat values and nested objects only). */
final class Json {
    private final StringBuilder sb = new StringBuilder("{");

    Json field(String name, Object value) {
        return raw(name, value == null ? "null"
                : value instanceof Number || value instanceof Boolean ? value.toString() : quote(value.toString()));
    }

    Json raw(String name, String json) {
        if (sb.length() > 1) {
            sb.append(',');
        }
        sb.append(quote(name)).append(':').append(json);
        return this;
    }

    /** A JSON array of already-encoded values. */
    static String array(java.util.List<String> encoded) {
        return "[" + String.join(",", encoded) + "]";
    }

    static String quote(String s) {
        StringBuilder q = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': q.append("\\\""); break;
                case '\\': q.append("\\\\"); break;
                case '\n': q.append("\\n"); break;
                case '\r': q.append("\\r"); break;
                case '\t': q.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        q.append(String.format("\\u%04x", (int) c));
                    } else {
                        q.append(c);
                    }
            }
        }
        return q.append('"').toString();
    }

    @Override
    public String toString() {
        return sb + "}";
    }
}
