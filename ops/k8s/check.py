#!/usr/bin/python3
"""ops/k8s/check.py FILE...: the offline check of the Kubernetes manifests.

No cluster and no kubectl are needed (kubectl's --dry-run=client needs an
API server). It parses every YAML document (PyYAML) and checks
  - structure: every key is one the Kubernetes API has at that place, for
    the kinds used here (ConfigMap, PersistentVolumeClaim, CronJob, Job):
    a misspelt key (concurrencyPolcy) is an error, as the API server would
    drop it in silence; scalars have the API's type (int, str, bool);
  - the product's rules: one CronJob per municipality, each with its own
    ReadWriteOnce volume for its state (LMDB never on a shared, network
    file system) mounted where its conf's 'state' says; concurrencyPolicy
    Forbid; podFailurePolicy fails the Job at once on 64, 65 and 70 and
    never on 69 or 75 (retried: backoffLimit); restartPolicy Never; the
    overview reads every municipality's conf.
Prints one line per problem (FILE: KIND/NAME: PATH: what) and exits 1 when
there is one, 0 otherwise (2: a file cannot be read or parsed).
"""
import re
import sys

import yaml

S, I, B = "str", "int", "bool"   # scalar types
ANY = "any"                        # a free map (labels, data, resources)
Q = "quantity"                     # "500m", "1Gi" or a number

META = {"name": S, "namespace": S, "labels": ANY, "annotations": ANY}
KEY_PATH = {"key": S, "path": S, "mode": I}
VOLUME = {
    "name": S,
    "persistentVolumeClaim": {"claimName": S, "readOnly": B},
    "configMap": {"name": S, "items": [KEY_PATH], "defaultMode": I, "optional": B},
    "projected": {"sources": [{"configMap": {"name": S, "items": [KEY_PATH],
                                             "optional": B}}],
                  "defaultMode": I},
    "emptyDir": {"medium": S, "sizeLimit": Q},
}
RESOURCES = {"requests": {"cpu": Q, "memory": Q, "storage": Q, "ephemeral-storage": Q},
             "limits": {"cpu": Q, "memory": Q, "storage": Q, "ephemeral-storage": Q}}
CONTAINER = {
    "name": S, "image": S, "imagePullPolicy": S, "command": [S], "args": [S],
    "workingDir": S, "env": [{"name": S, "value": S}], "resources": RESOURCES,
    "securityContext": {"allowPrivilegeEscalation": B, "readOnlyRootFilesystem": B,
                        "runAsNonRoot": B, "runAsUser": I, "runAsGroup": I,
                        "capabilities": {"add": [S], "drop": [S]},
                        "seccompProfile": {"type": S}},
    "volumeMounts": [{"name": S, "mountPath": S, "subPath": S, "readOnly": B}],
}
POD_SPEC = {
    "restartPolicy": S, "containers": [CONTAINER], "volumes": [VOLUME],
    "securityContext": {"runAsNonRoot": B, "runAsUser": I, "runAsGroup": I, "fsGroup": I,
                        "seccompProfile": {"type": S}},
    "nodeSelector": ANY, "serviceAccountName": S, "priorityClassName": S,
    "terminationGracePeriodSeconds": I,
}
JOB_SPEC = {
    "backoffLimit": I, "activeDeadlineSeconds": I, "ttlSecondsAfterFinished": I,
    "parallelism": I, "completions": I, "completionMode": S, "backoffLimitPerIndex": I,
    "maxFailedIndexes": I, "suspend": B,
    "podFailurePolicy": {"rules": [{
        "action": S,
        "onExitCodes": {"containerName": S, "operator": S, "values": [I]},
        "onPodConditions": [{"type": S, "status": S}],
    }]},
    "template": {"metadata": META, "spec": POD_SPEC},
}
KINDS = {
    ("v1", "ConfigMap"): {"apiVersion": S, "kind": S, "metadata": META, "data": ANY},
    ("v1", "PersistentVolumeClaim"): {
        "apiVersion": S, "kind": S, "metadata": META,
        "spec": {"accessModes": [S], "storageClassName": S, "resources": RESOURCES,
                 "volumeMode": S, "volumeName": S}},
    ("batch/v1", "CronJob"): {
        "apiVersion": S, "kind": S, "metadata": META,
        "spec": {"schedule": S, "timeZone": S, "concurrencyPolicy": S,
                 "startingDeadlineSeconds": I, "successfulJobsHistoryLimit": I,
                 "failedJobsHistoryLimit": I, "suspend": B,
                 "jobTemplate": {"metadata": META, "spec": JOB_SPEC}}},
    ("batch/v1", "Job"): {"apiVersion": S, "kind": S, "metadata": META, "spec": JOB_SPEC},
}
ENUMS = {
    "concurrencyPolicy": {"Allow", "Forbid", "Replace"},
    "restartPolicy": {"Always", "OnFailure", "Never"},
    "action": {"FailJob", "FailIndex", "Ignore", "Count"},
    "operator": {"In", "NotIn"},
    "accessModes": {"ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"},
}
QUANTITY = re.compile(r"^[0-9]+(\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|M|G|T)?$")


def structure(node, spec, path, out):
    """Problems of node against spec (a dict, [spec] or a scalar type)."""
    if spec == ANY:
        if not isinstance(node, dict):
            out.append("%s: a map expected" % path)
        return
    if isinstance(spec, list):
        if not isinstance(node, list):
            out.append("%s: a list expected" % path)
            return
        for i, item in enumerate(node):
            structure(item, spec[0], "%s[%d]" % (path, i), out)
        return
    if isinstance(spec, dict):
        if not isinstance(node, dict):
            out.append("%s: a map expected" % path)
            return
        for k, v in node.items():
            if k not in spec:
                out.append("%s: unknown key '%s'" % (path, k))
            else:
                structure(v, spec[k], "%s.%s" % (path, k), out)
        return
    key = path.rsplit(".", 1)[-1].split("[")[0]
    if spec == I and (not isinstance(node, int) or isinstance(node, bool)):
        out.append("%s: an integer expected, not %r" % (path, node))
    elif spec == B and not isinstance(node, bool):
        out.append("%s: true or false expected, not %r" % (path, node))
    elif spec == S and not isinstance(node, str):
        out.append("%s: a string expected, not %r" % (path, node))
    elif spec == Q and not (isinstance(node, int) or QUANTITY.match(str(node))):
        out.append("%s: not a quantity: %r" % (path, node))
    if spec == S and key in ENUMS and node not in ENUMS[key]:
        out.append("%s: '%s' is not one of %s" % (path, node, sorted(ENUMS[key])))


def conf_state(text):
    """The 'state' directory a pipeline.conf names, or None."""
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if len(words) == 2 and words[0] == "state":
            return words[1]
    return None


def rules(docs, out):
    """The product's rules over the whole stream."""
    by = {(d["kind"], d["metadata"]["name"]): d for d in docs}
    state_claims = {}
    nights = [d for d in docs if d["kind"] == "CronJob" and
              d["metadata"]["name"].startswith("recon-night-")]
    if not nights:
        out.append("no CronJob recon-night-SE")
    for cj in nights:
        name = cj["metadata"]["name"]
        se = name[len("recon-night-"):]
        where = "CronJob/%s" % name
        spec = cj["spec"]
        job = spec["jobTemplate"]["spec"]
        pod = job["template"]["spec"]
        if spec.get("concurrencyPolicy") != "Forbid":
            out.append("%s: concurrencyPolicy must be Forbid (one run of a state at a time)"
                       % where)
        if pod.get("restartPolicy") != "Never":
            out.append("%s: restartPolicy must be Never (podFailurePolicy needs it)" % where)
        fail = set()
        for r in job.get("podFailurePolicy", {}).get("rules", []):
            if r.get("action") == "FailJob" and "onExitCodes" in r:
                fail |= set(r["onExitCodes"].get("values", []))
        if not {64, 65, 70} <= fail:
            out.append("%s: podFailurePolicy must fail the Job on 64, 65 and 70" % where)
        if fail & {69, 75}:
            out.append("%s: 69 and 75 are worth a retry; podFailurePolicy fails on them"
                       % where)
        if not isinstance(job.get("backoffLimit"), int) or job["backoffLimit"] < 1:
            out.append("%s: backoffLimit must allow a retry (69, 75)" % where)
        vols = {v["name"]: v for v in pod.get("volumes", [])}
        mounts = {m["name"]: m for c in pod["containers"] for m in c.get("volumeMounts", [])}
        claim = None
        cm = by.get(("ConfigMap", "recon-conf-%s" % se))
        state = conf_state(cm["data"].get("pipeline.conf", "")) if cm else None
        if not cm or not state:
            out.append("%s: no ConfigMap recon-conf-%s with a pipeline.conf naming its state"
                       % (where, se))
        for vname, m in mounts.items():
            v = vols.get(vname)
            if v is None:
                out.append("%s: volumeMount %s has no volume" % (where, vname))
                continue
            if state and m["mountPath"] == state:
                claim = v.get("persistentVolumeClaim", {}).get("claimName")
        if not claim:
            out.append("%s: nothing is mounted at its conf's state %s" % (where, state))
            continue
        pvc = by.get(("PersistentVolumeClaim", claim))
        if not pvc:
            out.append("%s: its state claim %s is not in the manifests" % (where, claim))
        elif pvc["spec"].get("accessModes") not in (["ReadWriteOnce"], ["ReadWriteOncePod"]):
            out.append("PersistentVolumeClaim/%s: a state volume must be ReadWriteOnce "
                       "(LMDB never on a shared or network file system)" % claim)
        if claim in state_claims:
            out.append("%s: shares its state volume %s with %s" % (where, claim,
                                                                   state_claims[claim]))
        state_claims[claim] = where
    ov = by.get(("CronJob", "recon-overview"))
    if ov:
        srcs = [s for v in ov["spec"]["jobTemplate"]["spec"]["template"]["spec"]["volumes"]
                for s in v.get("projected", {}).get("sources", [])]
        names = {s["configMap"]["name"] for s in srcs if "configMap" in s}
        for cj in nights:
            se = cj["metadata"]["name"][len("recon-night-"):]
            if "recon-conf-%s" % se not in names:
                out.append("CronJob/recon-overview: does not read municipality %s's conf" % se)


def check(path):
    try:
        with open(path, encoding="utf-8") as f:
            docs = [d for d in yaml.safe_load_all(f) if d is not None]
    except (OSError, yaml.YAMLError) as e:
        print("%s: %s" % (path, e))
        return 2
    out = []
    for d in docs:
        kind = (d.get("apiVersion"), d.get("kind"))
        label = "%s/%s" % (d.get("kind"), d.get("metadata", {}).get("name"))
        if kind not in KINDS:
            out.append("%s: kind %s %s is not one this check knows" % (label, *kind))
            continue
        p = []
        structure(d, KINDS[kind], label, p)
        out.extend(p)
    if not out:
        rules(docs, out)
    for line in out:
        print("%s: %s" % (path, line))
    return 1 if out else 0


def main():
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(sys.argv) > 1 else 2
    return max(check(p) for p in sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
