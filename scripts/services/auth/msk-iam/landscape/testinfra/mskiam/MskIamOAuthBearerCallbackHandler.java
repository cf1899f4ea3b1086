package landscape.testinfra.mskiam;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.security.auth.AuthenticateCallbackHandler;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerExtensionsValidatorCallback;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerToken;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallback;

/**
 * Broker side of MSK IAM over SASL/OAUTHBEARER (what AWS's aws-msk-iam-sasl-signer libraries send, and what MSK's
 * IAM listener accepts next to AWS_MSK_IAM): Kafka's own OAuthBearerSaslServer parses the SASL exchange and hands the
 * bearer token to this handler, which verifies it with {@link MskIamVerifier#verifyUrlToken} (same identities, region
 * and rules as the AWS_MSK_IAM payload). The principal is the ARN of the access key; the session lasts until the
 * signature expires. A refusal answers {@code {"status":"invalid_token: <rule>"}} (RFC 7628 error status, with the
 * failed rule for whoever reads it: no secret is in it). JAAS options: {@code identitiesFile}, {@code region},
 * optional {@code maxClockSkewSeconds}, as for {@link MskIamCallbackHandler}.
 */
public class MskIamOAuthBearerCallbackHandler implements AuthenticateCallbackHandler {
    private MskIamVerifier verifier;

    @Override
    public void configure(Map<String, ?> configs, String mechanism, List<AppConfigurationEntry> jaasConfigEntries) {
        if (jaasConfigEntries.size() != 1) {
            throw new KafkaException("OAUTHBEARER (MSK IAM) needs exactly one JAAS entry, found " + jaasConfigEntries.size());
        }
        Map<String, ?> options = jaasConfigEntries.get(0).getOptions();
        Object identities = options.get("identitiesFile");
        Object region = options.get("region");
        if (identities == null || region == null) {
            throw new KafkaException("OAUTHBEARER (MSK IAM) JAAS entry needs the options identitiesFile and region");
        }
        Object skew = options.get("maxClockSkewSeconds");
        try {
            verifier = MskIamVerifier.load(Path.of(identities.toString()), region.toString(), List.of(),
                    skew == null ? 300 : Long.parseLong(skew.toString()));
        } catch (IOException e) {
            throw new KafkaException("reading MSK IAM identities file " + identities, e);
        }
    }

    @Override
    public void handle(Callback[] callbacks) throws UnsupportedCallbackException {
        for (Callback callback : callbacks) {
            if (callback instanceof OAuthBearerValidatorCallback validator) {
                validate(validator);
            } else if (callback instanceof OAuthBearerExtensionsValidatorCallback) {
                // MSK ignores SASL extensions on its IAM listener; none is validated, so none reaches the session.
            } else {
                throw new UnsupportedCallbackException(callback);
            }
        }
    }

    private void validate(OAuthBearerValidatorCallback callback) {
        String token = callback.tokenValue();
        MskIamVerifier.Verified verified;
        try {
            verified = verifier.verifyUrlToken(token);
        } catch (MskIamVerifier.Refused e) {
            // Kafka writes the status into JSON without escaping: keep it free of quotes and backslashes.
            callback.error("invalid_token: " + e.getMessage().replace('"', '\'').replace('\\', '/'), null, null);
            return;
        }
        callback.token(new OAuthBearerToken() {
            @Override
            public String value() {
                return token;
            }

            @Override
            public Set<String> scope() {
                return Set.of();
            }

            @Override
            public long lifetimeMs() {
                return verified.expiresAt().toEpochMilli();
            }

            @Override
            public String principalName() {
                return verified.arn();
            }

            @Override
            public Long startTimeMs() {
                return verified.signedAt().toEpochMilli();
            }
        });
    }

    @Override
    public void close() {}
}
