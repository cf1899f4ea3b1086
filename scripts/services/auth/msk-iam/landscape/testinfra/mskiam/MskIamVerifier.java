package landscape.testinfra.mskiam;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks an MSK IAM authentication payload the way the service does, minus IAM policy evaluation. Both forms carry
 * a presigned SigV4 request {@code GET https://<host>/?Action=kafka-cluster:Connect} (service {@code kafka-cluster},
 * signed header {@code host}, empty-body payload hash):
 * <ul>
 * <li>AWS_MSK_IAM ({@link #verify}): flattened into JSON with lower-cased query parameter names plus
 *     {@code version}, {@code host} (the broker's name) and {@code user-agent} (Java client format);</li>
 * <li>SASL/OAUTHBEARER ({@link #verifyUrlToken}): the presigned URL itself, base64url-encoded, signed for host
 *     {@code kafka.<region>.amazonaws.com}, with an unsigned {@code User-Agent} parameter appended (the format of
 *     AWS's aws-msk-iam-sasl-signer libraries).</li>
 * </ul>
 * The signature is recomputed with the secret of the access key named in the credential scope; region, expiry,
 * action and version are checked first so that each refusal says which rule failed.
 */
final class MskIamVerifier {
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    record Identity(String accessKeyId, String secretAccessKey, String arn, String sessionToken) {}

    /** What a valid payload proves: the principal ARN, and when the signature was made and stops being valid. */
    record Verified(String arn, Instant signedAt, Instant expiresAt) {}

    private static final String VERSION = "2020_10_22";
    private static final String ACTION = "kafka-cluster:Connect";
    private static final String SERVICE = "kafka-cluster";
    private static final long MAX_EXPIRES_SECONDS = 900;
    private static final DateTimeFormatter AMZ_DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    /** Payload key (lower-cased by the client) to the query parameter name that was signed. */
    private static final Map<String, String> SIGNED_PARAMS = Map.of(
            "action", "Action",
            "x-amz-algorithm", "X-Amz-Algorithm",
            "x-amz-credential", "X-Amz-Credential",
            "x-amz-date", "X-Amz-Date",
            "x-amz-expires", "X-Amz-Expires",
            "x-amz-security-token", "X-Amz-Security-Token",
            "x-amz-signedheaders", "X-Amz-SignedHeaders");
    private static final Set<String> OTHER_KEYS = Set.of("version", "host", "user-agent", "x-amz-signature");
    /** Query parameter names a signer-library token may carry (each once): the signed ones plus User-Agent. */
    private static final Map<String, String> URL_TOKEN_PARAMS = Map.of(
            "Action", "action",
            "X-Amz-Algorithm", "x-amz-algorithm",
            "X-Amz-Credential", "x-amz-credential",
            "X-Amz-Date", "x-amz-date",
            "X-Amz-Expires", "x-amz-expires",
            "X-Amz-Security-Token", "x-amz-security-token",
            "X-Amz-SignedHeaders", "x-amz-signedheaders",
            "X-Amz-Signature", "x-amz-signature",
            "User-Agent", "user-agent");
    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private final Map<String, Identity> identities;
    private final String region;
    private final List<String> hosts;
    private final long maxClockSkewSeconds;
    private final Supplier<Instant> clock;

    MskIamVerifier(Map<String, Identity> identities, String region, List<String> hosts, long maxClockSkewSeconds,
            Supplier<Instant> clock) {
        this.identities = identities;
        this.region = region;
        this.hosts = hosts;
        this.maxClockSkewSeconds = maxClockSkewSeconds;
        this.clock = clock;
    }

    static MskIamVerifier load(Path identitiesFile, String region, List<String> hosts, long skew) throws IOException {
        Map<String, Identity> identities = new HashMap<>();
        int lineNo = 0;
        for (String line : Files.readAllLines(identitiesFile, StandardCharsets.UTF_8)) {
            lineNo++;
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] f = line.split("\t");
            if (f.length < 3 || f.length > 4) {
                throw new IOException(identitiesFile + " line " + lineNo
                        + ": expected access key id, secret, ARN and optional session token separated by tabs");
            }
            identities.put(f[0], new Identity(f[0], f[1], f[2], f.length == 4 ? f[3] : null));
        }
        return new MskIamVerifier(identities, region, hosts, skew, Instant::now);
    }

    /** Returns the principal (ARN) an AWS_MSK_IAM JSON payload proves, or throws Refused naming the failed rule. */
    String verify(String json) throws Refused {
        Map<String, String> p;
        try {
            p = FlatJson.parseObject(json);
        } catch (IllegalArgumentException e) {
            throw new Refused("payload is not a flat JSON object of strings: " + e.getMessage());
        }
        for (String key : p.keySet()) {
            if (!SIGNED_PARAMS.containsKey(key) && !OTHER_KEYS.contains(key)) {
                throw new Refused("unexpected payload field \"" + key + "\"");
            }
        }
        return check(p, hosts).arn();
    }

    /**
     * Checks a SASL/OAUTHBEARER token as AWS's signer libraries make it: base64url (no padding) of
     * {@code https://kafka.<region>.amazonaws.com/?Action=kafka-cluster%3AConnect&X-Amz-...&User-Agent=...}.
     * The host must name this cluster's region; every other rule is the AWS_MSK_IAM payload's.
     */
    Verified verifyUrlToken(String token) throws Refused {
        if (token.isEmpty() || !token.matches("[A-Za-z0-9_-]+")) throw new Refused("token is not base64url");
        String url;
        try {
            url = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new Refused("token is not base64url");
        }
        String expectedHost = "kafka." + region + ".amazonaws.com";
        String prefix = "https://";
        if (!url.startsWith(prefix)) throw new Refused("token is not an https URL");
        int pathAt = url.indexOf('/', prefix.length());
        int queryAt = url.indexOf('?');
        if (pathAt < 0 || queryAt < 0 || queryAt < pathAt) throw new Refused("token URL has no path and query");
        String host = url.substring(prefix.length(), pathAt);
        if (!host.equals(expectedHost)) {
            throw new Refused("token signed for host " + host + ", this cluster is " + expectedHost);
        }
        if (!url.substring(pathAt, queryAt).equals("/")) throw new Refused("token URL path is not /");
        Map<String, String> p = new TreeMap<>();
        p.put("version", VERSION);
        p.put("host", host);
        for (String pair : url.substring(queryAt + 1).split("&", -1)) {
            int eq = pair.indexOf('=');
            if (eq <= 0) throw new Refused("token URL query part is not name=value");
            String name = percentDecode(pair.substring(0, eq));
            String key = URL_TOKEN_PARAMS.get(name);
            if (key == null) throw new Refused("unexpected token URL parameter \"" + name + "\"");
            if (p.put(key, percentDecode(pair.substring(eq + 1))) != null) {
                throw new Refused("token URL parameter " + name + " given twice");
            }
        }
        return check(p, List.of(expectedHost));
    }

    /** RFC 3986 percent-decoding ('+' stays '+': the signer escapes a plus as %2B). */
    private static String percentDecode(String s) throws Refused {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) throw new Refused("token URL has a bad percent escape");
                try {
                    out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                } catch (NumberFormatException e) {
                    throw new Refused("token URL has a bad percent escape");
                }
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The rules both forms share, over lower-cased parameter names plus version, host and user-agent. */
    private Verified check(Map<String, String> p, List<String> allowedHosts) throws Refused {
        if (!VERSION.equals(p.get("version"))) throw new Refused("unsupported payload version");
        if (!ACTION.equals(p.get("action"))) throw new Refused("action is not " + ACTION);
        if (!"AWS4-HMAC-SHA256".equals(p.get("x-amz-algorithm"))) throw new Refused("algorithm is not AWS4-HMAC-SHA256");
        String host = require(p, "host");
        if (!allowedHosts.isEmpty() && !allowedHosts.contains(host)) throw new Refused("signed for host " + host + ", not this broker");
        if (!"host".equals(p.get("x-amz-signedheaders"))) throw new Refused("signed headers must be exactly \"host\"");

        String[] scope = require(p, "x-amz-credential").split("/", -1);
        if (scope.length != 5 || !"aws4_request".equals(scope[4])) {
            throw new Refused("credential is not <key>/<date>/<region>/<service>/aws4_request");
        }
        String accessKeyId = scope[0], scopeDate = scope[1], scopeRegion = scope[2], service = scope[3];
        if (!SERVICE.equals(service)) throw new Refused("credential scope service is " + service + ", not " + SERVICE);
        if (!region.equals(scopeRegion)) {
            throw new Refused("signed for region " + scopeRegion + ", this cluster is in " + region);
        }

        String amzDate = require(p, "x-amz-date");
        Instant signedAt;
        try {
            signedAt = Instant.from(AMZ_DATE.parse(amzDate));
        } catch (DateTimeParseException e) {
            throw new Refused("x-amz-date is not yyyyMMddTHHmmssZ");
        }
        if (!amzDate.startsWith(scopeDate)) throw new Refused("credential scope date differs from x-amz-date");
        long expires;
        try {
            expires = Long.parseLong(require(p, "x-amz-expires"));
        } catch (NumberFormatException e) {
            throw new Refused("x-amz-expires is not a number");
        }
        if (expires <= 0 || expires > MAX_EXPIRES_SECONDS) throw new Refused("x-amz-expires is not 1..900 seconds");
        Instant now = clock.get();
        if (now.isAfter(signedAt.plusSeconds(expires))) throw new Refused("token expired at " + signedAt.plusSeconds(expires));
        if (signedAt.isAfter(now.plusSeconds(maxClockSkewSeconds))) throw new Refused("x-amz-date is in the future");

        Identity identity = identities.get(accessKeyId);
        if (identity == null) throw new Refused("unknown access key id");
        if (identity.sessionToken() != null && !identity.sessionToken().equals(p.get("x-amz-security-token"))) {
            throw new Refused("session token missing or wrong");
        }

        TreeMap<String, String> query = new TreeMap<>();
        for (Map.Entry<String, String> e : p.entrySet()) {
            String name = SIGNED_PARAMS.get(e.getKey());
            if (name != null) query.put(uriEncode(name), uriEncode(e.getValue()));
        }
        StringBuilder canonicalQuery = new StringBuilder();
        query.forEach((k, v) -> canonicalQuery.append(canonicalQuery.length() == 0 ? "" : "&").append(k).append('=').append(v));
        String canonicalRequest = String.join("\n", "GET", "/", canonicalQuery, "host:" + host + "\n", "host", EMPTY_SHA256);
        String credentialScope = scopeDate + "/" + scopeRegion + "/" + service + "/aws4_request";
        String stringToSign = String.join("\n", "AWS4-HMAC-SHA256", amzDate, credentialScope, sha256Hex(canonicalRequest));
        byte[] key = hmac(("AWS4" + identity.secretAccessKey()).getBytes(StandardCharsets.UTF_8), scopeDate);
        for (String part : new String[] {scopeRegion, service, "aws4_request"}) key = hmac(key, part);
        byte[] expected = HexFormat.of().formatHex(hmac(key, stringToSign)).getBytes(StandardCharsets.US_ASCII);
        byte[] given = require(p, "x-amz-signature").getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, given)) {
            throw new Refused("signature does not match (wrong secret or an altered payload)");
        }
        return new Verified(identity.arn(), signedAt, signedAt.plusSeconds(expires));
    }

    private static String require(Map<String, String> p, String key) throws Refused {
        String value = p.get(key);
        if (value == null || value.isEmpty()) throw new Refused("payload field \"" + key + "\" is missing");
        return value;
    }

    static String uriEncode(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "-_.~".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    private static String sha256Hex(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
