#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""contrib_check.py - the Kubernetes DaemonSet example is valid YAML with
the fields portstat serve needs there: hostNetwork and hostPID (--all-netns
finds pods' namespaces through their processes), the serve command with
--all-netns, a metrics port matching --listen, only SYS_ADMIN and
SYS_PTRACE added (no NET_ADMIN: sock_diag does not need it), all else
dropped, and no privileged mode.  The Grafana dashboard is valid JSON
whose every target has an expression.  Exit 0 ok, 1 with the reasons."""
import json
import sys

import yaml

root = sys.argv[1]
errors = []


def need(cond, what):
    if not cond:
        errors.append(what)


docs = [d for d in yaml.safe_load_all(open(root + "/kubernetes/daemonset.yaml")) if d]
ds = [d for d in docs if d.get("kind") == "DaemonSet"]
need(len(ds) == 1, "one DaemonSet")
if ds:
    d = ds[0]
    need(d.get("apiVersion") == "apps/v1", "apiVersion apps/v1")
    spec = d.get("spec", {})
    sel = spec.get("selector", {}).get("matchLabels", {})
    tmpl = spec.get("template", {})
    labels = tmpl.get("metadata", {}).get("labels", {})
    need(sel and all(labels.get(k) == v for k, v in sel.items()),
         "selector matches the pod template's labels")
    pod = tmpl.get("spec", {})
    need(pod.get("hostNetwork") is True, "hostNetwork: true")
    need(pod.get("hostPID") is True, "hostPID: true")
    cs = pod.get("containers", [])
    need(len(cs) == 1, "one container")
    if cs:
        c = cs[0]
        args = c.get("args", [])
        need(args[:1] == ["serve"] and "--all-netns" in args, "args: serve --all-netns")
        listen = args[args.index("--listen") + 1] if "--listen" in args else ":10061"
        port = int(listen.rsplit(":", 1)[1])
        need(any(p.get("containerPort") == port for p in c.get("ports", [])),
             "a containerPort equal to --listen's port %d" % port)
        sc = c.get("securityContext", {})
        caps = sc.get("capabilities", {})
        need(caps.get("drop") == ["ALL"], "capabilities: drop ALL")
        need(sorted(caps.get("add", [])) == ["SYS_ADMIN", "SYS_PTRACE"],
             "capabilities: add only SYS_ADMIN and SYS_PTRACE")
        need(not sc.get("privileged"), "not privileged")
        need(sc.get("allowPrivilegeEscalation") is False, "allowPrivilegeEscalation: false")
        need(bool(c.get("image")), "an image")

dash = json.load(open(root + "/grafana/portstat.json"))
exprs = [t.get("expr") for p in dash.get("panels", []) for t in p.get("targets", [])]
need(exprs and all(exprs), "every dashboard target has an expr")

for e in errors:
    print("contrib_check: missing or wrong: " + e)
sys.exit(1 if errors else 0)
