#!/usr/bin/env bash
# One-shot init of the docker compose Kafka (service kafka-certs, image apache/kafka, run as root).
#
# First start (no keystore yet in $SECRETS_DIR, the kafka-secrets volume):
#   - a CA (key kept only in the volume) and a broker key + certificate signed by it, valid for
#     localhost, 127.0.0.1 and kafka, in a PKCS12 keystore with a random password;
# Every start:
#   - the JAAS file with the user from .env (the broker reads it only when it starts: after changing the
#     password, `docker compose down && docker compose up -d`; a plain `up` leaves a running broker as it is),
#   - client.properties for the healthcheck (a SASL_SSL client on localhost:9093),
#   - the CA certificate (public) copied to $CA_OUT_DIR, i.e. ./secrets/ca.crt on the host, where
#     logtop looks for it by default.
# Only keytool is needed (it ships with the image's JRE), so it also runs on a host with a JDK.
set -euo pipefail

SECRETS_DIR=${SECRETS_DIR:-/etc/kafka/secrets}
CA_OUT_DIR=${CA_OUT_DIR:-/ca-out}
: "${SASL_USERNAME:?set KAFKA_USERNAME in .env}"
: "${SASL_PASSWORD:?set KAFKA_PASSWORD in .env}"
DAYS=${CERT_DAYS:-825}
NAMES="dns:localhost,ip:127.0.0.1,dns:kafka"

# The user name is a JAAS option name (user_NAME) and the password a quoted JAAS string.
if [[ ! "$SASL_USERNAME" =~ ^[A-Za-z0-9._-]+$ ]]; then
  echo "kafka-certs: KAFKA_USERNAME may only hold letters, digits, '.', '_' and '-'" >&2
  exit 1
fi
if [[ "$SASL_PASSWORD" == *'"'* || "$SASL_PASSWORD" == *'\'* ]]; then
  echo "kafka-certs: KAFKA_PASSWORD must not contain \" or \\" >&2
  exit 1
fi

mkdir -p "$SECRETS_DIR" "$CA_OUT_DIR"
cd "$SECRETS_DIR"
umask 077

if [[ ! -s kafka.keystore.p12 || ! -s ca.crt ]]; then
  echo "kafka-certs: making a CA and the broker certificate ($NAMES, $DAYS days)"
  rm -f ca.p12 kafka.keystore.p12 kafka.csr kafka.crt ca.crt keystore_creds key_creds
  STOREPASS=$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 32 || true)
  [[ ${#STOREPASS} -eq 32 ]] || { echo "kafka-certs: cannot make a random password" >&2; exit 1; }
  printf '%s' "$STOREPASS" > keystore_creds
  printf '%s' "$STOREPASS" > key_creds   # PKCS12: the key password is the store password

  keytool -genkeypair -noprompt -alias ca -keyalg RSA -keysize 3072 -validity "$DAYS" \
    -dname "CN=logtop docker compose Kafka CA" -ext bc:c=ca:true -ext ku:c=keyCertSign,cRLSign \
    -keystore ca.p12 -storetype PKCS12 -storepass "$STOREPASS" -keypass "$STOREPASS"
  keytool -exportcert -rfc -alias ca -keystore ca.p12 -storepass "$STOREPASS" -file ca.crt

  keytool -genkeypair -noprompt -alias kafka -keyalg RSA -keysize 2048 -validity "$DAYS" \
    -dname "CN=localhost" -keystore kafka.keystore.p12 -storetype PKCS12 \
    -storepass "$STOREPASS" -keypass "$STOREPASS"
  keytool -certreq -alias kafka -keystore kafka.keystore.p12 -storepass "$STOREPASS" -file kafka.csr
  keytool -gencert -rfc -alias ca -keystore ca.p12 -storepass "$STOREPASS" -validity "$DAYS" \
    -infile kafka.csr -outfile kafka.crt \
    -ext "SAN=$NAMES" -ext ku:c=digitalSignature,keyEncipherment -ext eku=serverAuth
  keytool -importcert -noprompt -alias ca -file ca.crt -keystore kafka.keystore.p12 -storepass "$STOREPASS"
  keytool -importcert -noprompt -alias kafka -file kafka.crt -keystore kafka.keystore.p12 -storepass "$STOREPASS"
  rm -f kafka.csr kafka.crt
fi

cat > kafka_server_jaas.conf <<JAAS
KafkaServer {
  org.apache.kafka.common.security.plain.PlainLoginModule required
  user_${SASL_USERNAME}="${SASL_PASSWORD}";
};
JAAS

cat > client.properties <<PROPS
security.protocol=SASL_SSL
sasl.mechanism=PLAIN
sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="${SASL_USERNAME}" password="${SASL_PASSWORD}";
ssl.truststore.type=PEM
ssl.truststore.location=${SECRETS_DIR}/ca.crt
PROPS

# The broker runs as appuser (in the image); on a host run the files stay the caller's.
if id appuser >/dev/null 2>&1; then
  chown appuser:root kafka.keystore.p12 keystore_creds key_creds kafka_server_jaas.conf client.properties ca.crt
fi
chmod 600 ca.p12 kafka.keystore.p12 keystore_creds key_creds kafka_server_jaas.conf client.properties
chmod 644 ca.crt

# The CA certificate for logtop on the host: public, readable by everyone, owned like its folder.
cp ca.crt "$CA_OUT_DIR/ca.crt.tmp"
chmod 644 "$CA_OUT_DIR/ca.crt.tmp"
chown "$(stat -c '%u:%g' "$CA_OUT_DIR")" "$CA_OUT_DIR/ca.crt.tmp" 2>/dev/null || true
mv -f "$CA_OUT_DIR/ca.crt.tmp" "$CA_OUT_DIR/ca.crt"
echo "kafka-certs: CA certificate at ./secrets/ca.crt; user \"$SASL_USERNAME\" from .env"
