#!/bin/sh
# Kubernetes, offline: the manifests ops/k8s/generate writes (one CronJob
# and one ReadWriteOnce state claim per municipality) and the shipped
# example parse and pass ops/k8s/check.py, and the check catches each kind
# of mistake. No cluster and no kubectl: PyYAML under Debian's python3.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
if ! $PY -c "import yaml" 2>/dev/null; then
	if [ "${CI:-}" = true ]; then
		echo "not ok - python3-yaml is missing (ops/install-deps.sh installs it)"
		echo "0 passed, 1 failed"
		exit 1
	fi
	echo "ok - skipped: python3-yaml is not installed (ops/install-deps.sh installs it)"
	echo "1 passed, 0 failed"
	exit 0
fi
CHECK="$PY $TOP/ops/k8s/check.py"

test_expect_success 'the shipped example passes the check' '
	$CHECK "$TOP/ops/k8s/recon-29757895.yaml"
'

test_expect_success 'three municipalities: three CronJobs, each its own RWO state claim' '
	for se in 29757895 19438414 55133018; do
		"$TOP/ops/new-municipality" $se --home /opt/reconciliation --root m >/dev/null || return 1
	done &&
	"$TOP/ops/k8s/generate" --image reg.example/recon:1 --root m >all.yaml &&
	$CHECK all.yaml &&
	$PY -c "
import yaml
d = [x for x in yaml.safe_load_all(open(\"all.yaml\")) if x]
cj = sorted(x[\"metadata\"][\"name\"] for x in d if x[\"kind\"] == \"CronJob\")
pvc = {x[\"metadata\"][\"name\"]: x[\"spec\"][\"accessModes\"] for x in d if x[\"kind\"] == \"PersistentVolumeClaim\"}
assert cj == [\"recon-night-19438414\", \"recon-night-29757895\", \"recon-night-55133018\", \"recon-overview\"], cj
assert all(pvc[\"recon-state-\" + s] == [\"ReadWriteOnce\"] for s in (\"19438414\", \"29757895\", \"55133018\")), pvc
assert pvc[\"recon-out\"] == [\"ReadWriteMany\"]
" &&
	"$TOP/ops/k8s/generate" --image reg.example/recon:1 --root m 19438414 >one.yaml &&
	$CHECK one.yaml && test "$(grep -c "^kind: CronJob" one.yaml)" = 2
'

# bad FROM TO: all.yaml with one line changed must fail the check, naming WHY.
bad() {
	sed "$1" all.yaml >bad.yaml && ! cmp -s all.yaml bad.yaml &&
	{ $CHECK bad.yaml >out; test $? -eq 1; } && grep -q "$2" out
}

test_expect_success 'the check catches a misspelt key, a wrong type and a wrong enum' '
	bad "0,/concurrencyPolicy: Forbid/s//concurrencyPolcy: Forbid/" "unknown key .concurrencyPolcy." &&
	bad "0,/backoffLimit: 2/s//backoffLimit: \"2\"/" "backoffLimit: an integer expected" &&
	bad "0,/restartPolicy: Never/s//restartPolicy: Nevr/" "restartPolicy: .Nevr. is not one of" &&
	bad "0,/      podFailurePolicy:/s//      podFailurPolicy:/" "unknown key .podFailurPolicy."
'

test_expect_success 'the check catches what would break the product' '
	bad "0,/accessModes: \[ReadWriteOnce\]/s//accessModes: [ReadWriteMany]/" "must be ReadWriteOnce (LMDB" &&
	bad "0,/values: \[64, 65, 70\]/s//values: [64, 65, 69, 70]/" "69 and 75 are worth a retry" &&
	bad "0,/values: \[64, 65, 70\]/s//values: [64, 70]/" "must fail the Job on 64, 65 and 70" &&
	bad "0,/restartPolicy: Never/s//restartPolicy: OnFailure/" "restartPolicy must be Never" &&
	bad "0,/concurrencyPolicy: Forbid/s//concurrencyPolicy: Allow/" "concurrencyPolicy must be Forbid" &&
	bad "0,/claimName: recon-state-29757895/s//claimName: recon-state-19438414/" "shares its state volume" &&
	bad "0,/mountPath: \/var\/lib\/reconciliation\/19438414\/state/s//mountPath: \/data/" "nothing is mounted at its conf.s state" &&
	bad "s/^\(                      name: recon-conf-\)55133018$/\129757895/" "recon-overview: does not read municipality 55133018"
'

test_expect_success 'a file that does not parse is exit 2' '
	printf "kind: [\n" >broken.yaml && { $CHECK broken.yaml >out; test $? -eq 2; }
'

test_done
