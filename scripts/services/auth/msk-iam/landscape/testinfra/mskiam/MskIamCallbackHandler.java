package landscape.testinfra.mskiam;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.security.auth.AuthenticateCallbackHandler;

/**
 * Broker-side settings of the AWS_MSK_IAM verifier, read from the listener's JAAS entry options:
 * {@code identitiesFile} (tab-separated: access key id, secret access key, principal ARN, optional session token),
 * {@code region} (the only region tokens may be signed for), optional {@code hosts} (comma-separated broker host
 * names a token may be signed for; default: any) and optional {@code maxClockSkewSeconds} (default 300).
 * Kafka passes this handler to the SaslServerFactory, which takes the verifier from it.
 */
public class MskIamCallbackHandler implements AuthenticateCallbackHandler {
    private MskIamVerifier verifier;

    @Override
    public void configure(Map<String, ?> configs, String mechanism, List<AppConfigurationEntry> jaasConfigEntries) {
        MskIamSaslServerProvider.install();
        if (jaasConfigEntries.size() != 1) {
            throw new KafkaException("AWS_MSK_IAM needs exactly one JAAS entry, found " + jaasConfigEntries.size());
        }
        Map<String, ?> options = jaasConfigEntries.get(0).getOptions();
        String identities = option(options, "identitiesFile", null);
        String region = option(options, "region", null);
        if (identities == null || region == null) {
            throw new KafkaException("AWS_MSK_IAM JAAS entry needs the options identitiesFile and region");
        }
        String hosts = option(options, "hosts", "");
        long skew = Long.parseLong(option(options, "maxClockSkewSeconds", "300"));
        try {
            verifier = MskIamVerifier.load(Path.of(identities), region,
                    hosts.isBlank() ? List.of() : List.of(hosts.split(",")), skew);
        } catch (IOException e) {
            throw new KafkaException("reading AWS_MSK_IAM identities file " + identities, e);
        }
    }

    private static String option(Map<String, ?> options, String name, String fallback) {
        Object value = options.get(name);
        return value == null ? fallback : value.toString();
    }

    MskIamVerifier verifier() {
        if (verifier == null) throw new IllegalStateException("MskIamCallbackHandler used before configure()");
        return verifier;
    }

    @Override
    public void handle(Callback[] callbacks) throws UnsupportedCallbackException {
        if (callbacks.length > 0) throw new UnsupportedCallbackException(callbacks[0]);
    }

    @Override
    public void close() {}
}
