#!/usr/bin/env python3
"""Static check of docker-compose.yml (Docker cannot run on our machines or in CI).

Checks that the file parses, that its services, ports, environment (from .env), volumes, healthcheck
and depends_on are consistent with each other and with what the apache/kafka image's entrypoint
needs, and that the client listener's name, port, SASL mechanism and the CA path match logtop's
defaults (Sources/LogtopPipeline/Kafka/ComposeKafkaDefaults.swift).

  python3 scripts/check-compose.py                    # expected values read from the Swift file
  python3 scripts/check-compose.py --expect JSON      # or given (the Swift test passes the compiled ones)
  python3 scripts/check-compose.py --compose other/docker-compose.yml

Exit status 0 when every check passes, 1 otherwise (each failure is printed with what was expected).
"""
import argparse
import base64
import json
import os
import re
import subprocess
import sys

try:
    import yaml
except ImportError:
    sys.exit("check-compose: PyYAML is missing: apt-get install python3-yaml (scripts/setup.sh does)")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULTS_SWIFT = os.path.join(ROOT, "Sources", "LogtopPipeline", "Kafka", "ComposeKafkaDefaults.swift")
# Variables the apache/kafka image does not turn into server.properties entries
# (core/src/main/scala/kafka/docker/KafkaDockerWrapper.scala, ExcludeServerPropsEnv).
IMAGE_EXCLUDED = {"KAFKA_VERSION", "KAFKA_HEAP_OPTS", "KAFKA_LOG4J_OPTS", "KAFKA_OPTS", "KAFKA_JMX_OPTS",
                  "KAFKA_JVM_PERFORMANCE_OPTS", "KAFKA_GC_LOG_OPTS", "KAFKA_LOG4J_ROOT_LOGLEVEL",
                  "KAFKA_LOG4J_LOGGERS", "KAFKA_TOOLS_LOG4J_LOGLEVEL", "KAFKA_JMX_HOSTNAME"}
IMAGE_SECRETS_DIR = "/etc/kafka/secrets"  # where the image's entrypoint looks for keystores


class Checker:
    def __init__(self):
        self.failures = []
        self.passed = 0

    def check(self, condition, what, detail=""):
        if condition:
            self.passed += 1
        else:
            self.failures.append(what + (": " + detail if detail else ""))
        return condition


def swift_defaults(path):
    """The `static let NAME = value` constants of ComposeKafkaDefaults.swift."""
    text = open(path).read()
    out = {}
    for name, value in re.findall(r"static let (\w+) = (.+)", text):
        value = value.strip()
        if value.startswith("["):
            out[name] = re.findall(r'"([^"]*)"', value)
        elif value.startswith('"'):
            out[name] = value.strip('"')
        elif value.isdigit():
            out[name] = int(value)
    return out


def parse_env_file(path):
    values = {}
    for raw in open(path).read().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[7:].strip()
        if "=" not in line:
            continue
        key, value = line.split("=", 1)
        value = value.strip()
        if len(value) >= 2 and value[0] in "\"'" and value[-1] == value[0]:
            value = value[1:-1]
        values[key.strip()] = value
    return values


VAR = re.compile(r"\$(\$)|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def interpolate(value, env, used, problems):
    """Compose's variable substitution ($$, ${V}, ${V:-d}, ${V-d}, ${V:?e}, ${V?e}, ${V:+a}, $V)."""
    def sub(m):
        if m.group(1):
            return "$"
        name = m.group(2) or m.group(5)
        op, arg = m.group(3), m.group(4)
        used.add(name)
        present = name in env
        val = env.get(name, "")
        if op in (":-", "-"):
            return val if (present and (val or op == "-")) else arg
        if op in (":?", "?"):
            if not present or (op == ":?" and not val):
                problems.append("${%s} is required (%s) and .env does not set it" % (name, arg))
            return val
        if op in (":+", "+"):
            return arg if (present and (val or op == "+")) else ""
        if not present:
            problems.append("${%s} is not set in .env (compose would use an empty string)" % name)
        return val
    return VAR.sub(sub, value)


def walk(node, fn):
    if isinstance(node, dict):
        return {k: walk(v, fn) for k, v in node.items()}
    if isinstance(node, list):
        return [walk(v, fn) for v in node]
    if isinstance(node, str):
        return fn(node)
    return node


def env_map(service):
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def volume_mounts(service):
    """[(source, target, read_only)] from short or long volume syntax."""
    out = []
    for v in service.get("volumes") or []:
        if isinstance(v, str):
            parts = v.split(":")
            out.append((parts[0], parts[1] if len(parts) > 1 else parts[0], len(parts) > 2 and "ro" in parts[2].split(",")))
        else:
            out.append((v.get("source"), v.get("target"), bool(v.get("read_only"))))
    return out


def listeners(value):
    """'NAME://host:port,...' -> {NAME: (host, port)}."""
    out = {}
    for item in filter(None, (s.strip() for s in value.split(","))):
        m = re.match(r"^([A-Za-z0-9_-]+)://(.*):(\d+)$", item)
        if m:
            out[m.group(1)] = (m.group(2), int(m.group(3)))
    return out


def server_properties(env):
    """What the apache/kafka image writes to server.properties for these variables."""
    props = {}
    for key, value in env.items():
        if key.startswith("KAFKA_") and key not in IMAGE_EXCLUDED:
            name = key.replace("KAFKA_", "").lower().replace("_", ".").replace("...", "-").replace("..", "_")
            props[name] = value
    return props


def duration_ok(text):
    return bool(re.fullmatch(r"(\d+(\.\d+)?(ns|us|ms|s|m|h))+", str(text)))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--compose", default=os.path.join(ROOT, "docker-compose.yml"))
    p.add_argument("--env-file", help="default: .env beside the compose file")
    p.add_argument("--expect", help="JSON of ComposeKafkaDefaults (default: parsed from the Swift file)")
    a = p.parse_args()

    base = os.path.dirname(os.path.abspath(a.compose))
    expect = json.loads(a.expect) if a.expect else swift_defaults(DEFAULTS_SWIFT)
    c = Checker()
    for key in ("host", "port", "listenerName", "saslMechanism", "caPath", "certificateNames"):
        if not c.check(key in expect, "expected value %s known" % key):
            break

    try:
        doc = yaml.safe_load(open(a.compose))
    except (OSError, yaml.YAMLError) as e:
        print("check-compose: FAIL %s does not parse: %s" % (a.compose, e))
        return 1
    env_path = a.env_file or os.path.join(base, ".env")
    dotenv = parse_env_file(env_path) if os.path.exists(env_path) else {}
    c.check(os.path.exists(env_path), ".env exists beside the compose file", env_path)
    c.check("KAFKA_USERNAME" in dotenv and "KAFKA_PASSWORD" in dotenv, ".env sets KAFKA_USERNAME and KAFKA_PASSWORD")
    c.check("KAFKA_BOOTSTRAP_SERVERS" not in dotenv, ".env does not set KAFKA_BOOTSTRAP_SERVERS",
            "plain `swift run logtop` must keep using the embedded cluster")

    used, problems = set(), []
    doc = walk(doc, lambda s: interpolate(s, dotenv, used, problems))
    for problem in problems:
        c.check(False, "interpolation", problem)
    c.check({"KAFKA_USERNAME", "KAFKA_PASSWORD"} <= used, "the compose file takes the users from .env",
            "expected ${KAFKA_USERNAME} and ${KAFKA_PASSWORD}, found %s" % sorted(used))

    services = doc.get("services") or {}
    c.check(set(services) == {"kafka", "kafka-certs"}, "services are kafka and kafka-certs", str(sorted(services)))
    kafka, certs = services.get("kafka") or {}, services.get("kafka-certs") or {}
    declared_volumes = set((doc.get("volumes") or {}).keys())

    for name, svc in (("kafka", kafka), ("kafka-certs", certs)):
        image = svc.get("image", "")
        m = re.fullmatch(r"apache/kafka:(\d+)\.(\d+)\.(\d+)", image)
        c.check(bool(m) and (int(m.group(1)), int(m.group(2))) >= (3, 7),
                "%s uses a pinned apache/kafka >= 3.7 image (KRaft, keytool)" % name, image)
        for source, target, _ in volume_mounts(svc):
            if source and not source.startswith((".", "/")):
                c.check(source in declared_volumes, "%s: named volume %s is declared" % (name, source))
            elif source:
                c.check(source.startswith("./"), "%s: bind mount %s is relative to the project" % (name, source))

    # --- the init service: certificates, JAAS, CA on the host ------------------------------------------
    cenv = env_map(certs)
    entry = certs.get("entrypoint") or certs.get("command") or []
    entry = entry if isinstance(entry, list) else entry.split()
    mounts = {t: (s, ro) for s, t, ro in volume_mounts(certs)}
    script_target = next((x for x in entry if x.endswith(".sh")), None)
    script_host = mounts.get(script_target, (None, False))[0]
    script_path = os.path.normpath(os.path.join(base, script_host)) if script_host else None
    c.check(bool(script_path) and os.path.isfile(script_path), "kafka-certs runs a script mounted from the project",
            "entrypoint %s, mounts %s" % (entry, sorted(mounts)))
    script = open(script_path).read() if script_path and os.path.isfile(script_path) else ""
    if script:
        r = subprocess.run(["bash", "-n", script_path], capture_output=True, text=True)
        c.check(r.returncode == 0, "the init script is valid bash", r.stderr.strip())
    c.check(str(certs.get("user", "")).split(":")[0] in ("0", "root"), "kafka-certs runs as root (it writes a bind mount)")
    c.check(str(certs.get("restart", "no")) == "no", "kafka-certs is one-shot (restart: \"no\")")
    c.check(cenv.get("SASL_USERNAME") == dotenv.get("KAFKA_USERNAME") and cenv.get("SASL_PASSWORD") == dotenv.get("KAFKA_PASSWORD"),
            "kafka-certs gets the user and password of .env")
    secrets_dir = cenv.get("SECRETS_DIR", "")
    ca_out = cenv.get("CA_OUT_DIR", "")
    secrets_volume = mounts.get(secrets_dir, (None, False))[0]
    c.check(secrets_dir == IMAGE_SECRETS_DIR and bool(secrets_volume), "kafka-certs writes the keys to a volume at %s" % IMAGE_SECRETS_DIR,
            "SECRETS_DIR=%s, mounts %s" % (secrets_dir, sorted(mounts)))
    ca_host_dir = mounts.get(ca_out, (None, False))[0]
    ca_host_path = os.path.normpath(os.path.join(ca_host_dir or "", "ca.crt"))
    c.check(ca_host_path == os.path.normpath(expect.get("caPath", "")),
            "the CA lands at logtop's default CA path", "%s on the host, logtop reads %s" % (ca_host_path, expect.get("caPath")))
    c.check(re.search(r'cp ca\.crt "\$CA_OUT_DIR/', script) is not None and 'mv -f "$CA_OUT_DIR/ca.crt.tmp" "$CA_OUT_DIR/ca.crt"' in script,
            "the init script copies ca.crt into CA_OUT_DIR")
    names = re.search(r'^NAMES="([^"]*)"', script, re.M)
    san = [n.split(":", 1)[1] for n in names.group(1).split(",")] if names else []
    c.check(sorted(san) == sorted(expect.get("certificateNames", [])), "certificate names match ComposeKafkaDefaults.certificateNames",
            "script %s, logtop %s" % (san, expect.get("certificateNames")))
    gitignore = os.path.join(base, ".gitignore")
    if ca_host_dir and os.path.exists(gitignore):
        ignored = [l.strip() for l in open(gitignore)]
        d = ca_host_dir.lstrip("./").rstrip("/")
        c.check(any(l in ("/%s/" % d, "%s/" % d, "/%s" % d) for l in ignored), "the CA folder ./%s is git-ignored" % d)

    # --- the broker -----------------------------------------------------------------------------------
    kenv = env_map(kafka)
    props = server_properties(kenv)
    dep = (kafka.get("depends_on") or {})
    c.check(isinstance(dep, dict) and (dep.get("kafka-certs") or {}).get("condition") == "service_completed_successfully",
            "kafka waits for kafka-certs to complete (depends_on condition service_completed_successfully)")
    kmounts = {t: s for s, t, _ in volume_mounts(kafka)}
    c.check(kmounts.get(IMAGE_SECRETS_DIR) == secrets_volume, "kafka mounts the keys volume at %s" % IMAGE_SECRETS_DIR,
            "%s vs %s" % (kmounts.get(IMAGE_SECRETS_DIR), secrets_volume))
    c.check(props.get("log.dirs") in kmounts, "kafka keeps its log.dirs on a volume (down -v removes it)", str(props.get("log.dirs")))
    for key in kenv:
        c.check(key.count("KAFKA_") <= 1, "%s: the image strips every KAFKA_ in a name" % key)
        c.check(key not in ("KAFKA_USERNAME", "KAFKA_PASSWORD"), "kafka does not get %s (it would become a server property)" % key)
    cid = kenv.get("CLUSTER_ID", "")
    try:
        cid_ok = len(cid) == 22 and len(base64.urlsafe_b64decode(cid + "==")) == 16
    except ValueError:
        cid_ok = False
    c.check(cid_ok, "CLUSTER_ID is a base64 UUID (22 characters)", cid)

    roles = set(props.get("process.roles", "").split(","))
    c.check(roles == {"broker", "controller"}, "one KRaft node is broker and controller", str(roles))
    lis = listeners(props.get("listeners", ""))
    adv = listeners(props.get("advertised.listeners", ""))
    pmap = dict(item.split(":", 1) for item in props.get("listener.security.protocol.map", "").split(",") if ":" in item)
    ctrl = props.get("controller.listener.names", "")
    c.check(ctrl in lis and ctrl not in adv, "the controller listener is a listener and is not advertised", ctrl)
    voters = re.fullmatch(r"(\d+)@([^:]+):(\d+)", props.get("controller.quorum.voters", ""))
    c.check(bool(voters) and voters.group(1) == props.get("node.id") and ctrl in lis and int(voters.group(3)) == lis[ctrl][1]
            and voters.group(2) == kafka.get("hostname"),
            "controller.quorum.voters is this node at its controller listener", props.get("controller.quorum.voters", ""))
    ibl = props.get("inter.broker.listener.name", "")
    c.check(ibl in lis and ibl in adv, "the inter-broker listener is a listener and advertised", ibl)
    c.check(set(lis) <= set(pmap) and set(adv) <= set(lis), "every listener has a security protocol; advertised ⊆ listeners")

    name = expect.get("listenerName", "")
    c.check(name in lis and name in adv, "the client listener %s exists and is advertised" % name, str(sorted(adv)))
    c.check(pmap.get(name) == "SASL_SSL", "listener %s is SASL_SSL" % name, str(pmap.get(name)))
    if name in adv:
        c.check(adv[name] == (expect.get("host"), expect.get("port")), "%s is advertised as %s:%s" % (name, expect.get("host"), expect.get("port")),
                "%s:%s" % adv[name])
    mechanisms = [m.strip() for m in props.get("sasl.enabled.mechanisms", "").split(",")]
    c.check(expect.get("saslMechanism") in mechanisms, "sasl.enabled.mechanisms has %s" % expect.get("saslMechanism"), str(mechanisms))

    published = {}
    bound = {}
    for port in kafka.get("ports") or []:
        if isinstance(port, dict):
            port = "%s:%s:%s" % (port.get("host_ip", ""), port.get("published"), port.get("target"))
        parts = str(port).split(":")
        if len(parts) >= 2:
            target = int(parts[-1].split("/")[0])
            published[target] = int(parts[-2])
            bound[target] = ":".join(parts[:-2])
    for target, host_ip in sorted(bound.items()):
        c.check(host_ip in ("127.0.0.1", "localhost", "[::1]"),
                "container port %d is published on loopback only (the demo credentials must not face the network)" % target,
                host_ip or "every interface")
    if name in lis:
        c.check(published.get(lis[name][1]) == expect.get("port"),
                "container port %d of %s is published on host port %s" % (lis[name][1], name, expect.get("port")), str(published))
    for lname, (_, lport) in lis.items():
        if lport in published:
            c.check(pmap.get(lname, "").startswith("SASL_SSL") or pmap.get(lname) == "SSL",
                    "published listener %s is encrypted" % lname, pmap.get(lname, ""))

    # What the image's entrypoint (/etc/kafka/docker/configure) requires.
    if "SSL://" in props.get("advertised.listeners", ""):
        for var in ("KAFKA_SSL_KEYSTORE_FILENAME", "KAFKA_SSL_KEYSTORE_CREDENTIALS", "KAFKA_SSL_KEY_CREDENTIALS"):
            value = kenv.get(var, "")
            c.check(bool(value) and re.search(r"(^|[\s>])%s\b" % re.escape(value), script) is not None,
                    "%s names a file the init script writes" % var, value)
        c.check(kenv.get("KAFKA_SSL_KEYSTORE_TYPE", "JKS").upper() == "PKCS12" and "-storetype PKCS12" in script,
                "the keystore type is PKCS12, as the init script makes it")
    if re.search(r"SASL_[A-Z]*://", props.get("advertised.listeners", "")):
        opts = kenv.get("KAFKA_OPTS", "")
        jaas = re.search(r"-Djava\.security\.auth\.login\.config=(\S+)", opts)
        c.check(bool(jaas) and jaas.group(1).startswith(IMAGE_SECRETS_DIR + "/")
                and os.path.basename(jaas.group(1)) in script and "KafkaServer {" in script,
                "KAFKA_OPTS points at the JAAS file the init script writes", opts)
        c.check('user_${SASL_USERNAME}="${SASL_PASSWORD}"' in script, "the JAAS file defines the .env user")

    # The healthcheck: a SASL_SSL client on the client listener with the client.properties of the script.
    hc = kafka.get("healthcheck") or {}
    test = hc.get("test") or []
    test = test if isinstance(test, list) else ["CMD-SHELL", test]
    c.check(bool(test) and test[0] in ("CMD", "CMD-SHELL"), "kafka has a healthcheck command")
    joined = " ".join(test[1:])
    if name in lis:
        c.check("localhost:%d" % lis[name][1] in joined, "the healthcheck uses the %s listener" % name, joined)
    cfg = re.search(r"--command-config\s+(\S+)", joined)
    c.check(bool(cfg) and cfg.group(1).startswith(IMAGE_SECRETS_DIR + "/") and os.path.basename(cfg.group(1)) in script
            and "security.protocol=SASL_SSL" in script and "sasl.mechanism=%s" % expect.get("saslMechanism") in script,
            "the healthcheck's client config is written by the init script (SASL_SSL, %s)" % expect.get("saslMechanism"))
    for key in ("interval", "timeout", "start_period"):
        c.check(duration_ok(hc.get(key, "")), "healthcheck %s is a duration" % key, str(hc.get(key)))
    c.check(isinstance(hc.get("retries"), int) and hc.get("retries") > 0, "healthcheck retries is a positive number")

    for failure in c.failures:
        print("check-compose: FAIL " + failure)
    print("check-compose: %s: %d checks, %d failed" % (os.path.relpath(a.compose), c.passed + len(c.failures), len(c.failures)))
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main())
