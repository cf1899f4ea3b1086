package landscape.testinfra.mskiam;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import javax.security.auth.callback.CallbackHandler;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;
import javax.security.sasl.SaslServerFactory;
import org.apache.kafka.common.errors.SaslAuthenticationException;

/**
 * One round: the client's first message is the signed JSON payload; on success the server answers with
 * {"version":"2020_10_22","request-id":"..."} (the MSK IAM client requires a non-empty answer in that form) and the
 * authorization id, hence the Kafka principal {@code User:<arn>}, is the ARN mapped to the access key.
 * A refusal is a SaslAuthenticationException, whose message Kafka hands to the client (no secret in it).
 */
public final class MskIamSaslServer implements SaslServer {
    public static final String MECHANISM = "AWS_MSK_IAM";
    private static final String VERSION = "2020_10_22";

    private final MskIamVerifier verifier;
    private String authorizationId;
    private boolean complete;

    MskIamSaslServer(MskIamVerifier verifier) {
        this.verifier = verifier;
    }

    @Override
    public String getMechanismName() {
        return MECHANISM;
    }

    @Override
    public byte[] evaluateResponse(byte[] response) throws SaslException {
        if (complete) throw new SaslException("AWS_MSK_IAM exchange already complete");
        String principal;
        try {
            principal = verifier.verify(new String(response, StandardCharsets.UTF_8));
        } catch (MskIamVerifier.Refused e) {
            throw new SaslAuthenticationException("AWS_MSK_IAM authentication refused: " + e.getMessage());
        }
        authorizationId = principal;
        complete = true;
        String answer = "{\"version\":\"" + VERSION + "\",\"request-id\":\"" + UUID.randomUUID() + "\"}";
        return answer.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public boolean isComplete() {
        return complete;
    }

    @Override
    public String getAuthorizationID() {
        if (!complete) throw new IllegalStateException("AWS_MSK_IAM exchange not complete");
        return authorizationId;
    }

    @Override
    public byte[] unwrap(byte[] incoming, int offset, int len) {
        throw new IllegalStateException("AWS_MSK_IAM negotiates no security layer");
    }

    @Override
    public byte[] wrap(byte[] outgoing, int offset, int len) {
        throw new IllegalStateException("AWS_MSK_IAM negotiates no security layer");
    }

    @Override
    public Object getNegotiatedProperty(String propName) {
        if (!complete) throw new IllegalStateException("AWS_MSK_IAM exchange not complete");
        return null;
    }

    @Override
    public void dispose() {}

    public static final class Factory implements SaslServerFactory {
        @Override
        public SaslServer createSaslServer(String mechanism, String protocol, String serverName, Map<String, ?> props,
                CallbackHandler cbh) throws SaslException {
            if (!MECHANISM.equals(mechanism)) return null;
            if (!(cbh instanceof MskIamCallbackHandler handler)) {
                throw new SaslException("AWS_MSK_IAM needs sasl.server.callback.handler.class="
                        + MskIamCallbackHandler.class.getName() + " on the listener");
            }
            return new MskIamSaslServer(handler.verifier());
        }

        @Override
        public String[] getMechanismNames(Map<String, ?> props) {
            return new String[] {MECHANISM};
        }
    }
}
