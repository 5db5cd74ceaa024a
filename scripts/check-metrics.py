#!/usr/bin/env python3
"""Parses a Prometheus exposition with prometheus_client's own parsers and prints it as JSON.

usage: check-metrics.py text|openmetrics < exposition

The text format goes through prometheus_client.parser, OpenMetrics through
prometheus_client.openmetrics.parser (which also insists on `# EOF`, canonical `le` values and the
counter naming rules). Every family must have a `# HELP` and a `# TYPE` other than unknown/untyped.
Prints {"families": [{"name", "type", "help", "samples": [{"name", "labels", "value"}]}]};
exits 1 with the parser's message on stderr when the exposition is invalid.
Debian: apt-get install python3-prometheus-client.
"""
import json
import math
import sys

try:
    from prometheus_client.parser import text_string_to_metric_families as parse_text
    from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_openmetrics
except ImportError:
    print("prometheus_client is missing: apt-get install python3-prometheus-client", file=sys.stderr)
    sys.exit(2)


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in ("text", "openmetrics"):
        print(__doc__, file=sys.stderr)
        return 2
    text = sys.stdin.read()
    parse = parse_text if sys.argv[1] == "text" else parse_openmetrics
    families = []
    try:
        for f in parse(text):
            if not f.documentation:
                raise ValueError("family %s has no # HELP" % f.name)
            if f.type in ("unknown", "untyped"):
                raise ValueError("family %s has no # TYPE" % f.name)
            samples = []
            for s in f.samples:
                v = s.value
                samples.append({"name": s.name, "labels": s.labels,
                                "value": None if (isinstance(v, float) and (math.isnan(v) or math.isinf(v))) else v})
            families.append({"name": f.name, "type": f.type, "help": f.documentation, "samples": samples})
    except Exception as e:  # the parsers raise ValueError (and others) for invalid input
        print("invalid %s exposition: %s" % (sys.argv[1], e), file=sys.stderr)
        return 1
    json.dump({"families": families}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
