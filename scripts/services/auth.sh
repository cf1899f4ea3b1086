#!/usr/bin/env bash
# auth.sh {install|prepare|start-issuer|stop-issuer|start-eks-webhook|stop-eks-webhook|eks-rbac|env}
# Real authenticating servers for the ways platforms reach Kafka and Kubernetes, all on loopback, every key and
# certificate generated at setup (nothing committed):
#   * Kafka listeners (added to the test broker by kafka.sh when KAFKA_AUTH_LISTENERS=1):
#       MTLS  (SSL, ssl.client.auth=required, principal mapped to User:CN=<cn>)          port KAFKA_MTLS_PORT  9094
#       OAUTH (SASL_PLAINTEXT/OAUTHBEARER, Kafka's own OIDC validator vs. our issuer)      port KAFKA_OAUTH_PORT 9095
#       IAM   (SASL_SSL/AWS_MSK_IAM and OAUTHBEARER with the MSK IAM signer token, as MSK;
#              SigV4 verifier compiled here from auth/msk-iam/)                           port KAFKA_IAM_PORT   9098
#   * token-issuer.mjs: OAuth2 client-credentials token endpoint + JWKS (RS256)            port OAUTH_ISSUER_PORT 8490
#   * eks-webhook.mjs: TokenReview webhook verifying EKS (k8s-aws-v1.) tokens for the kube-apiserver (k8s.sh adds
#     --authentication-token-webhook-config-file when EKS_WEBHOOK=1)                      port EKS_WEBHOOK_PORT 8491
#   * the independent real clients the tests drive: aws-msk-iam-auth (Maven Central), awscli (PyPI), faketime (apt),
#     and auth/msk-iam-tamper (AWS's MSK IAM client with one payload field altered, for the "tampered" tests)
#
#   install            cached client/verifier artefacts under $TI_HOME (verifier jar keyed by a hash of its sources)
#   prepare            (re)generate $TI_RUN/auth: CAs, certificates, test identities and secrets, server configs
#   start-issuer       start the token issuer (Kafka's OIDC validator fetches its JWKS at broker start)
#   start-eks-webhook  start the TokenReview webhook
#   eks-rbac           create the namespace, ClusterRole and RoleBinding the EKS and certificate users are bound to,
#                      and $TI_RUN/auth/kubeconfig-eks (kubectl runs `aws eks get-token`, as update-kubeconfig sets up)
#   env                print export lines for env.sh (paths, ports, URLs, test identities)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

AUTH=$TI_RUN/auth
KAFKA_VERSION=${KAFKA_VERSION:-4.3.1}
KDIR=$TI_HOME/kafka-$KAFKA_VERSION
KAFKA_MTLS_PORT=${KAFKA_MTLS_PORT:-9094}
KAFKA_OAUTH_PORT=${KAFKA_OAUTH_PORT:-9095}
KAFKA_IAM_PORT=${KAFKA_IAM_PORT:-9098}
OAUTH_ISSUER_PORT=${OAUTH_ISSUER_PORT:-8490}
EKS_WEBHOOK_PORT=${EKS_WEBHOOK_PORT:-8491}
K8S_PORT=${K8S_PORT:-6443}
K8S_ADMIN_TOKEN=${K8S_ADMIN_TOKEN:-admin-token-0123456789}
MSK_IAM_REGION=${MSK_IAM_REGION:-eu-west-1}
EKS_CLUSTER_ID=${EKS_CLUSTER_ID:-landscape-test}
EKS_NAMESPACE=${EKS_NAMESPACE:-landscape-eks}
OAUTH_AUDIENCE=${OAUTH_AUDIENCE:-landscape-kafka}
AWS_ACCOUNT=000000000000
MSK_IAM_AUTH_VERSION=${MSK_IAM_AUTH_VERSION:-2.4.0}
MSK_IAM_LIB=$TI_HOME/aws-msk-iam-auth-$MSK_IAM_AUTH_VERSION/lib
AWSCLI_VERSION=${AWSCLI_VERSION:-1.46.2}
AWSCLI_VENV=$TI_HOME/venv-awscli-$AWSCLI_VERSION
# content hash of the verifier sources + Kafka version: a changed source or Kafka rebuilds, nothing else does
verifier_jar() {
  local h
  h=$( (echo "$KAFKA_VERSION"; cat "$HERE"/auth/msk-iam/landscape/testinfra/mskiam/*.java) | sha256sum | cut -c1-16)
  echo "$TI_HOME/msk-iam-verifier-$h.jar"
}

# ---------- install (cached) ----------
install_verifier() {
  local jar; jar=$(verifier_jar)
  [[ -f $jar ]] && return 0
  [[ -f $KDIR/.complete ]] || "$HERE/kafka.sh" install
  local build; build=$(mktemp -d)
  javac -Xlint:all -Werror -d "$build" -cp "$KDIR/lib/kafka-clients-$KAFKA_VERSION.jar" \
    "$HERE"/auth/msk-iam/landscape/testinfra/mskiam/*.java
  jar --create --file "$jar.tmp" -C "$build" .
  mv "$jar.tmp" "$jar"; rm -rf "$build"
  log "AWS_MSK_IAM verifier built: $jar"
}
# Test-only client wrapper (auth/msk-iam-tamper): AWS's MSK IAM client with one payload field altered.
tamper_jar() {
  local h
  h=$( (echo "$MSK_IAM_AUTH_VERSION"; cat "$HERE"/auth/msk-iam-tamper/landscape/testinfra/mskiamtamper/*.java) | sha256sum | cut -c1-16)
  echo "$TI_HOME/msk-iam-tamper-$h.jar"
}
install_tamper_client() {
  local jar; jar=$(tamper_jar)
  [[ -f $jar ]] && return 0
  local build; build=$(mktemp -d)
  javac -Xlint:all -Werror -d "$build" -cp "$MSK_IAM_LIB/aws-msk-iam-auth-$MSK_IAM_AUTH_VERSION.jar" \
    "$HERE"/auth/msk-iam-tamper/landscape/testinfra/mskiamtamper/*.java
  jar --create --file "$jar.tmp" -C "$build" .
  mv "$jar.tmp" "$jar"; rm -rf "$build"
  log "tampering MSK IAM test client built: $jar"
}
install_msk_client() {
  [[ -f $MSK_IAM_LIB/../.complete ]] && return 0
  local dir=$MSK_IAM_LIB/..
  mkdir -p "$dir"
  cat >"$dir/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.testinfra</groupId><artifactId>msk-iam-client</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>software.amazon.msk</groupId><artifactId>aws-msk-iam-auth</artifactId><version>$MSK_IAM_AUTH_VERSION</version></dependency>
  </dependencies>
</project>
POM
  # Kafka's own slf4j/jackson come first on the CLI classpath; the library's copies are left out.
  (cd "$dir" && "${MVN[@]}" "$DEP_PLUGIN:copy-dependencies" -DincludeScope=runtime -DoutputDirectory=lib \
     -DexcludeArtifactIds=slf4j-api,jackson-core,jackson-databind,jackson-annotations)
  touch "$dir/.complete"
}
install_awscli() {
  [[ -f $AWSCLI_VENV/.complete && -x $AWSCLI_VENV/bin/aws ]] && return 0
  rm -rf "$AWSCLI_VENV"
  python3 -m venv "$AWSCLI_VENV"
  "$AWSCLI_VENV/bin/pip" install -q --disable-pip-version-check --retries 3 "awscli==$AWSCLI_VERSION"
  "$AWSCLI_VENV/bin/aws" --version >/dev/null
  touch "$AWSCLI_VENV/.complete"
}
install_faketime() {
  command -v faketime >/dev/null && return 0
  apt-get install -y -qq faketime >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq faketime >/dev/null; }
}
auth_install() {
  local t0=$SECONDS
  install_verifier
  install_msk_client
  install_tamper_client
  install_awscli
  install_faketime
  command -v kubectl >/dev/null || log "kubectl not on PATH: the EKS tests use curl only where kubectl is missing"
  log "auth installs done in $((SECONDS - t0))s"
}

# ---------- prepare: PKI, identities, configs ----------
# Certificates start one day in the past (openssl run under faketime): the expiry tests run real clients with
# their clock set back, and their TLS handshakes must still accept our certificates. EC P-256 keys: generating
# them is instant where RSA keys cost seconds on a loaded 2-core machine.
backdated() { faketime -f -1d "$@"; }
newkey=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
# ca NAME CN
ca() { backdated openssl req -x509 "${newkey[@]}" -sha256 -days 30 -subj "/CN=$2" -keyout "$1.key" -out "$1.crt" 2>/dev/null; }
# leaf NAME CA SUBJECT EKU [SAN]: key + certificate signed by CA; NAME.pem = key + certificate (Kafka PEM keystore)
leaf() {
  local name=$1 ca=$2 subj=$3 eku=$4 san=${5:-}
  openssl req "${newkey[@]}" -sha256 -subj "$subj" -keyout "$name.key" -out "$name.csr" 2>/dev/null
  { echo "extendedKeyUsage=$eku"; echo "keyUsage=digitalSignature"; [[ -n $san ]] && echo "subjectAltName=$san"; } >"$name.ext"
  backdated openssl x509 -req -sha256 -days 30 -in "$name.csr" -CA "$ca.crt" -CAkey "$ca.key" -CAcreateserial \
    -extfile "$name.ext" -out "$name.crt" 2>/dev/null
  cat "$name.key" "$name.crt" >"$name.pem"
  rm -f "$name.csr" "$name.ext"
}

auth_prepare() {
  local t0=$SECONDS
  rm -rf "$AUTH"; mkdir -p "$AUTH"
  (
    cd "$AUTH" || exit 1
    umask 077
    # One CA for our servers and the Kafka client certificates; a second, unrelated CA for "wrong CA" tests.
    # Subjects are written most-significant RDN first, so Java's RFC 2253 form starts with CN= (what the
    # broker's principal mapping rule matches): CN=landscape-client,OU=platform,O=Landscape Test.
    ca ca "landscape-test-ca"
    ca other-ca "landscape-untrusted-ca"
    leaf broker ca "/O=Landscape Test/CN=localhost" serverAuth "IP:127.0.0.1,DNS:localhost"
    leaf eks-webhook ca "/O=Landscape Test/CN=eks-webhook" serverAuth "IP:127.0.0.1,DNS:localhost"
    leaf client ca "/O=Landscape Test/OU=platform/CN=landscape-client" clientAuth
    leaf other-client other-ca "/O=Landscape Test/OU=platform/CN=landscape-client" clientAuth
    rm -f ./*.srl
    chmod 644 ./*.crt   # public parts readable; keys stay 600
    # RS256 signing key of the token issuer (JWKS); kept in the run dir so an issuer restart keeps its kid
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out issuer-signing.key 2>/dev/null
    make_identities
  )
  log "auth material generated in $AUTH in $((SECONDS - t0))s"
}

# Test identities and secrets, generated per run; the verifiers get the secrets through their config files,
# clients through env.sh (credentials.env):
#   AWS: landscape-ci (IAM user, RBAC group landscape:deployers), landscape-readonly (IAM user, no RBAC binding),
#        ci-session (temporary credentials with a session token, assumed role, group landscape:deployers).
#        Kubernetes user names are the ARNs (as EKS access entries map IAM principals).
#   OAuth: landscape-ci (good), landscape-expired (its tokens expired 10 minutes ago), landscape-wrong-audience.
make_identities() {
  python3 "$HERE/auth/make-identities.py" "$AUTH" "$AWS_ACCOUNT" "$EKS_CLUSTER_ID" "$EKS_WEBHOOK_PORT" \
    "$OAUTH_ISSUER_PORT" "$OAUTH_AUDIENCE"
  cat >"$AUTH/eks-webhook-kubeconfig.yaml" <<KC
apiVersion: v1
kind: Config
clusters:
- name: eks-webhook
  cluster:
    server: https://127.0.0.1:$EKS_WEBHOOK_PORT/authenticate
    certificate-authority: $AUTH/ca.crt
users:
- name: kube-apiserver
contexts:
- name: webhook
  context: {cluster: eks-webhook, user: kube-apiserver}
current-context: webhook
KC
}

# ---------- servers ----------
issuer_url() { echo "http://127.0.0.1:$OAUTH_ISSUER_PORT"; }
start_issuer() {
  [[ -f $AUTH/token-issuer.json ]] || auth_prepare
  stop_bg token-issuer 5
  start_bg token-issuer "$AUTH/token-issuer.log" node "$HERE/auth/token-issuer.mjs" "$AUTH/token-issuer.json"
  wait_http "$(issuer_url)/jwks" 30 || { assert_alive token-issuer "$AUTH/token-issuer.log"; return 1; }
  log "token issuer ready: $(issuer_url)"
}
start_eks_webhook() {
  [[ -f $AUTH/eks-webhook.json ]] || auth_prepare
  stop_bg eks-webhook 5
  start_bg eks-webhook "$AUTH/eks-webhook.log" node "$HERE/auth/eks-webhook.mjs" "$AUTH/eks-webhook.json"
  wait_http "https://127.0.0.1:$EKS_WEBHOOK_PORT/healthz" 30 --cacert "$AUTH/ca.crt" \
    || { assert_alive eks-webhook "$AUTH/eks-webhook.log"; return 1; }
  log "eks webhook ready: https://127.0.0.1:$EKS_WEBHOOK_PORT/authenticate (cluster id $EKS_CLUSTER_ID)"
}

# k8s_apply PATH JSON: create one object with the admin token (409 = already there).
k8s_apply() {
  local code
  code=$(curl -sS -o "$AUTH/k8s-apply.out" -w '%{http_code}' --cacert "$TI_RUN/k8s/pki/ca.crt" \
    -H "Authorization: Bearer $K8S_ADMIN_TOKEN" -H 'Content-Type: application/json' \
    -X POST "https://127.0.0.1:$K8S_PORT$1" -d "$2")
  [[ $code == 201 || $code == 409 ]] || { log "creating $1 answered $code: $(cat "$AUTH/k8s-apply.out")"; return 1; }
}
eks_rbac() {
  k8s_apply /api/v1/namespaces "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"$EKS_NAMESPACE\"}}"
  k8s_apply /apis/rbac.authorization.k8s.io/v1/clusterroles '{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole",
    "metadata":{"name":"landscape:deployer"},
    "rules":[{"apiGroups":[""],"resources":["configmaps","secrets","services"],"verbs":["get","list","watch","create","update","patch","delete"]},
             {"apiGroups":["apps"],"resources":["deployments","statefulsets"],"verbs":["get","list","watch","create","update","patch","delete"]}]}'
  k8s_apply "/apis/rbac.authorization.k8s.io/v1/namespaces/$EKS_NAMESPACE/rolebindings" "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",
    \"kind\":\"RoleBinding\",\"metadata\":{\"name\":\"landscape-deployers\",\"namespace\":\"$EKS_NAMESPACE\"},
    \"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\",\"name\":\"landscape:deployer\"},
    \"subjects\":[{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"Group\",\"name\":\"landscape:deployers\"}]}"
  log "RBAC: group landscape:deployers may manage configmaps/secrets/services/deployments in namespace $EKS_NAMESPACE"
  # What `aws eks update-kubeconfig` writes: kubectl runs `aws eks get-token` (credentials from its environment).
  cat >"$AUTH/kubeconfig-eks" <<KC
apiVersion: v1
kind: Config
clusters:
- name: $EKS_CLUSTER_ID
  cluster:
    server: https://127.0.0.1:$K8S_PORT
    certificate-authority: $TI_RUN/k8s/pki/ca.crt
users:
- name: eks-user
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: $AWSCLI_VENV/bin/aws
      args: [eks, get-token, --cluster-name, $EKS_CLUSTER_ID, --output, json]
      interactiveMode: Never
contexts:
- name: eks
  context: {cluster: $EKS_CLUSTER_ID, user: eks-user, namespace: $EKS_NAMESPACE}
current-context: eks
KC
}

# JVM flags the broker needs for the auth listeners (classpath entry and the OAuth URL allow-list).
kafka_auth_jvm_flags() {
  echo "-Dorg.apache.kafka.sasl.oauthbearer.allowed.urls=$(issuer_url)/jwks,$(issuer_url)/token"
}

auth_env() {
  cat <<ENV
export AUTH_DIR=$AUTH AUTH_CA_FILE=$AUTH/ca.crt AUTH_OTHER_CA_FILE=$AUTH/other-ca.crt
export KAFKA_LIB_DIR=$KDIR/lib MSK_IAM_CLIENT_LIB_DIR=$MSK_IAM_LIB MSK_IAM_TAMPER_JAR=$(tamper_jar) AWSCLI=$AWSCLI_VENV/bin/aws
export KAFKA_MTLS_BOOTSTRAP=127.0.0.1:$KAFKA_MTLS_PORT KAFKA_MTLS_CERT_FILE=$AUTH/client.crt KAFKA_MTLS_KEY_FILE=$AUTH/client.key
export KAFKA_MTLS_KEYSTORE_PEM=$AUTH/client.pem KAFKA_MTLS_PRINCIPAL=User:CN=landscape-client
export KAFKA_MTLS_OTHER_CA_CERT_FILE=$AUTH/other-client.crt KAFKA_MTLS_OTHER_CA_KEY_FILE=$AUTH/other-client.key KAFKA_MTLS_OTHER_CA_KEYSTORE_PEM=$AUTH/other-client.pem
export KAFKA_OAUTH_BOOTSTRAP=127.0.0.1:$KAFKA_OAUTH_PORT OAUTH_ISSUER_URL=$(issuer_url) OAUTH_TOKEN_URL=$(issuer_url)/token OAUTH_JWKS_URL=$(issuer_url)/jwks OAUTH_AUDIENCE=$OAUTH_AUDIENCE
export KAFKA_IAM_BOOTSTRAP=127.0.0.1:$KAFKA_IAM_PORT MSK_IAM_REGION=$MSK_IAM_REGION
export EKS_CLUSTER_ID=$EKS_CLUSTER_ID EKS_NAMESPACE=$EKS_NAMESPACE EKS_WEBHOOK_URL=https://127.0.0.1:$EKS_WEBHOOK_PORT/authenticate EKS_KUBECONFIG=$AUTH/kubeconfig-eks
export EKS_SERVER=https://127.0.0.1:$K8S_PORT EKS_CA_FILE=$TI_RUN/k8s/pki/ca.crt
ENV
  [[ -f $AUTH/credentials.env ]] && cat "$AUTH/credentials.env"
  return 0
}

case ${1:-} in
  install) auth_install ;;
  install-verifier) install_verifier ;;
  verifier-jar) verifier_jar ;;
  prepare) auth_prepare ;;
  start-issuer) start_issuer ;;
  stop-issuer) stop_bg token-issuer 5 ;;
  start-eks-webhook) start_eks_webhook ;;
  stop-eks-webhook) stop_bg eks-webhook 5 ;;
  eks-rbac) eks_rbac ;;
  kafka-jvm-flags) kafka_auth_jvm_flags ;;
  env) auth_env ;;
  *) if [[ ${BASH_SOURCE[0]} == "$0" ]]; then sed -n '2,20p' "$0" >&2; exit 2; fi ;;
esac
