package landscape.testinfra.mskiam;

import java.util.Map;
import javax.security.auth.Subject;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.spi.LoginModule;

/**
 * The JAAS entry Kafka requires for every SASL mechanism a listener enables. Its only job is to register the
 * AWS_MSK_IAM SaslServerFactory when Kafka loads it (the same way Kafka's own mechanisms register theirs); the
 * verifier's settings are read by {@link MskIamCallbackHandler} from this entry's options.
 */
public class MskIamLoginModule implements LoginModule {
    static {
        MskIamSaslServerProvider.install();
    }

    @Override
    public void initialize(Subject subject, CallbackHandler handler, Map<String, ?> sharedState, Map<String, ?> options) {}

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
}
