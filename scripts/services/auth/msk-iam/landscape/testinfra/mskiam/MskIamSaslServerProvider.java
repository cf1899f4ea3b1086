package landscape.testinfra.mskiam;

import java.security.Provider;
import java.security.Security;

/** Makes {@code Sasl.createSaslServer("AWS_MSK_IAM", ...)} find {@link MskIamSaslServer.Factory}. */
public final class MskIamSaslServerProvider extends Provider {
    private static final long serialVersionUID = 1L;

    private MskIamSaslServerProvider() {
        super("Landscape test AWS_MSK_IAM SASL server", "1.0", "Verifies MSK IAM SigV4 payloads for tests");
        put("SaslServerFactory." + MskIamSaslServer.MECHANISM, MskIamSaslServer.Factory.class.getName());
    }

    static synchronized void install() {
        if (Security.getProvider(new MskIamSaslServerProvider().getName()) == null) {
            Security.addProvider(new MskIamSaslServerProvider());
        }
    }
}
