package landscape.testinfra.mskiamtamper;

import java.nio.charset.StandardCharsets;
import java.security.Provider;
import java.security.Security;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.security.auth.Subject;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.spi.LoginModule;
import javax.security.sasl.SaslClient;
import javax.security.sasl.SaslClientFactory;
import javax.security.sasl.SaslException;
import software.amazon.msk.auth.iam.internals.IAMSaslClient;

/**
 * Test client only: AWS's own MSK IAM SASL client, with one field of its signed payload replaced before it is sent,
 * so that tests can show the broker refuses an altered payload (and still accepts one whose unsigned field changed).
 * Use in place of IAMLoginModule:
 *   sasl.jaas.config=landscape.testinfra.mskiamtamper.TamperingIamLoginModule required field="x-amz-expires" value="899";
 * with sasl.client.callback.handler.class=software.amazon.msk.auth.iam.IAMClientCallbackHandler as usual.
 */
public class TamperingIamLoginModule implements LoginModule {
    static volatile String field;
    static volatile String value;

    static {
        Provider provider = new Provider("Landscape tampering AWS_MSK_IAM client", "1.0", "test only") {
            private static final long serialVersionUID = 1L;
        };
        provider.put("SaslClientFactory.AWS_MSK_IAM", Factory.class.getName());
        // ahead of the library's own provider, so Kafka's Sasl.createSaslClient("AWS_MSK_IAM") finds this one
        Security.insertProviderAt(provider, 1);
    }

    @Override
    public void initialize(Subject subject, CallbackHandler handler, Map<String, ?> sharedState, Map<String, ?> options) {
        field = (String) options.get("field");
        value = (String) options.get("value");
        if (field == null || value == null) throw new IllegalArgumentException("options field and value are required");
    }

    @Override
    public boolean login() {
        return true;
    }

    @Override
    public boolean commit() {
        return true;
    }

    @Override
    public boolean abort() {
        return false;
    }

    @Override
    public boolean logout() {
        return true;
    }

    public static final class Factory implements SaslClientFactory {
        @Override
        public SaslClient createSaslClient(String[] mechanisms, String authorizationId, String protocol,
                String serverName, Map<String, ?> props, CallbackHandler cbh) throws SaslException {
            String libraryMechanism = IAMSaslClient.getMechanismNameForClassLoader(IAMSaslClient.class.getClassLoader());
            SaslClient real = new IAMSaslClient.IAMSaslClientFactory().createSaslClient(
                    new String[] {libraryMechanism}, authorizationId, protocol, serverName, props, cbh);
            return new Tampering(real);
        }

        @Override
        public String[] getMechanismNames(Map<String, ?> props) {
            return new String[] {"AWS_MSK_IAM"};
        }
    }

    private static final class Tampering implements SaslClient {
        private final SaslClient real;
        private boolean first = true;

        Tampering(SaslClient real) {
            this.real = real;
        }

        @Override
        public byte[] evaluateChallenge(byte[] challenge) throws SaslException {
            byte[] out = real.evaluateChallenge(challenge);
            if (!first || out == null) return out;
            first = false;
            String json = new String(out, StandardCharsets.UTF_8);
            Matcher m = Pattern.compile("\"" + Pattern.quote(field) + "\":\"[^\"]*\"").matcher(json);
            if (!m.find()) throw new SaslException("payload has no field " + field);
            String altered = json.substring(0, m.start()) + "\"" + field + "\":\"" + value + "\"" + json.substring(m.end());
            return altered.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String getMechanismName() {
            return "AWS_MSK_IAM";
        }

        @Override
        public boolean hasInitialResponse() {
            return real.hasInitialResponse();
        }

        @Override
        public boolean isComplete() {
            return real.isComplete();
        }

        @Override
        public byte[] unwrap(byte[] incoming, int offset, int len) throws SaslException {
            return real.unwrap(incoming, offset, len);
        }

        @Override
        public byte[] wrap(byte[] outgoing, int offset, int len) throws SaslException {
            return real.wrap(outgoing, offset, len);
        }

        @Override
        public Object getNegotiatedProperty(String propName) {
            return real.getNegotiatedProperty(propName);
        }

        @Override
        public void dispose() throws SaslException {
            real.dispose();
        }
    }
}
