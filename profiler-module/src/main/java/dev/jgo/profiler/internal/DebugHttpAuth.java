package dev.jgo.profiler.internal;

import dev.jgo.profiler.internal.DebugHttp.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * The debug server's optional bearer token (RFC 6750): with one set, every request must carry
 * {@code Authorization: Bearer TOKEN}; any other gets 401 with {@code WWW-Authenticate: Bearer}
 * and no hint of what the endpoints hold. The token is compared in time independent of where it
 * differs. A token guards the endpoints where {@code --debug-host} exposes them; it is no
 * substitute for TLS on an untrusted network (the header crosses it in clear).
 */
final class DebugHttpAuth {
    /** The realm of the 401's challenge. */
    static final String REALM = "jgo debug";

    private DebugHttpAuth() {}

    /**
     * Checks a token before a server takes it: null (none) or a non-empty RFC 6750 token68
     * (letters, digits and {@code -._~+/}, then {@code =} padding).
     *
     * @throws IllegalArgumentException if it is not one
     */
    static void check(String token) {
        if (token == null) {
            return;
        }
        if (!token.matches("[A-Za-z0-9\\-._~+/]+=*")) {
            throw new IllegalArgumentException(
                    "debug token must be non-empty letters, digits and -._~+/ (an RFC 6750 bearer token)");
        }
    }

    /** Whether the request head {@code head} carries {@code Authorization: Bearer token}. */
    static boolean authorized(String head, byte[] token) {
        boolean ok = false;
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0 || !line.substring(0, colon).strip().equalsIgnoreCase("authorization")) {
                continue;
            }
            String v = line.substring(colon + 1).strip();
            if (v.length() > 7 && v.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
                byte[] given = v.substring(7).strip().getBytes(StandardCharsets.UTF_8);
                ok |= MessageDigest.isEqual(given, token);
            }
        }
        return ok;
    }

    /** The answer to a request without the token. */
    static Response unauthorized() {
        return Response.text(401, "401 Unauthorized: this debug server needs Authorization: Bearer TOKEN\n");
    }
}
