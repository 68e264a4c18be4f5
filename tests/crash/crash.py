#!/usr/bin/env python3
"""The crash harness: kill -9 at a random moment of a stage, run again,
and check that nothing shows it.

usage: tests/crash/run.sh [--seed N] [--kills N] [--only K] [--dir DIR]
                          [--keep] [--verbose]
       tests/crash/run.sh --points [--stage NAME]... [--dir DIR]

The scenario is fixtures/crash-two-nights (two nights on one state
directory; see its README.md). First an uninterrupted reference run of both
nights (and a control run, which must give the same bytes: the harness
checks itself). Then, for kill K (1..N):

  - the target: stage K-1 modulo the stages of conf/pipeline.conf, in
    night 1 or night 2 in turn (one round of the stages per night);
  - a fresh state, out and archive directory; night 1 runs (uninterrupted
    first when the target is in night 2, then night 2) under its own
    session (setsid), so the whole process group can be killed;
  - the harness polls the group's processes (/proc, about every 0.5 ms);
    when bin/stage-TARGET runs it sleeps a random fraction of the stage's
    reference duration and sends SIGKILL to the whole group; it records the
    stage actually running at that moment ("between stages" when the target
    had finished and the next had not started);
  - the same night again (bin/pipeline run, same options) to completion,
    then night 2 if the kill was in night 1;
  - the checks: every file under OUT and in the archive directory is
    byte-identical to the reference's (and no file more or less); the
    landed files under STATE/landing are the reference's; the store's
    databases hold what the reference's hold (mdb_dump; the ledger's times
    and a receipt's time of receipt excepted), in particular "vouchers":
    no voucher issued twice or lost, and each night's vouchers/*.xml the
    reference's; 'pipeline status' says every stage of both nights done;
    'pipeline check-store' exits 0 (skipped while bin/pipeline does not
    know the command); no temporary file left ('*.tmp.XXXXXX' anywhere,
    anything under STATE/landing/.partial, an unpack directory
    STATE/landing/DATE/DIR/.unpack).

--points kills at exact points instead of random moments: before and after
every LMDB commit and every rename() of each stage program and of
bin/pipeline (tests/crash/killpoint.so, LD_PRELOAD; counted on an
uninterrupted run), with the same checks. It takes long (some 430 points).

Each kill's randomness comes from (seed, K) alone: --only K redoes kill K
with the same target and fraction. A failing kill's directories are kept
(DIR/kNNNN) and named with the command that repeats it. Exit 0 when every
check of every kill held, 1 otherwise, 2 when the harness itself could not
run (the reference failed).
"""
import argparse
import ctypes
import filecmp
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(TOP, "bin")
CONF = os.path.join(TOP, "conf", "pipeline.conf")
SCENARIO = os.path.join(TOP, "fixtures", "crash-two-nights")
NIGHTS = [("2021-02-10", os.path.join(SCENARIO, "night1", "drops")),
          ("2021-02-12", os.path.join(SCENARIO, "night2", "drops"))]
POLL = 0.0005
TMP_NAME = re.compile(r"\.tmp\.[A-Za-z0-9]{6}$")
BETWEEN = "(between stages)"


def stages_of(conf):
    out = []
    with open(conf, encoding="utf-8") as f:
        for line in f:
            w = line.split("#", 1)[0].split()
            if w and w[0] == "stage":
                out.append(w[1])
    return out


STAGES = stages_of(CONF)


# --- processes ------------------------------------------------------------

def become_subreaper():
    """Stages orphaned by the kill become our children, so we reap them."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(36, 1, 0, 0, 0)   # PR_SET_CHILD_SUBREAPER
    except OSError:
        pass


def proc_stat(pid):
    """(state, pgid) of pid, or None when it is gone."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            s = f.read()
    except OSError:
        return None
    rest = s[s.rfind(b")") + 2:].split()
    return rest[0].decode(), int(rest[2])


def proc_stage(pid):
    """The stage name pid runs (argv[0] bin/stage-NAME), or None."""
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            argv0 = f.read().split(b"\0", 1)[0].decode(errors="replace")
    except OSError:
        return None
    base = os.path.basename(argv0)
    return base[6:] if base.startswith("stage-") else None


class Watch:
    """The stages of one pipeline run (a process group), by polling /proc.

    A stage is a child of bin/pipeline; pids are handed out in order, so the
    pids after the last one seen are probed on every poll, and the whole of
    /proc now and then in case the pids wrapped or jumped."""

    def __init__(self, pgid):
        self.pgid = pgid
        self.next = pgid + 1
        self.tracked = {}     # pid -> stage name or None (not exec'ed yet)
        self.alive = set()
        self.started = {}     # (stage) -> time first seen running
        self.ended = {}       # (stage) -> time first seen gone
        self.polls = 0

    def _add(self, pid):
        if pid not in self.tracked:
            self.tracked[pid] = None
            self.alive.add(pid)

    def _probe(self):
        # pids taken by other processes meanwhile are skipped too
        for pid in range(self.next, self.next + 16):
            st = proc_stat(pid)
            if st:
                if st[1] == self.pgid:
                    self._add(pid)
                self.next = pid + 1

    def _scan(self):
        for name in os.listdir("/proc"):
            if name.isdigit():
                pid = int(name)
                if pid != self.pgid and pid not in self.tracked:
                    st = proc_stat(pid)
                    if st and st[1] == self.pgid:
                        self._add(pid)
                        self.next = max(self.next, pid + 1)

    def poll(self):
        """Updates what runs; returns (pid, stage) running now or (None, None)."""
        now = time.monotonic()
        self.polls += 1
        self._probe()
        if self.polls % 50 == 0:
            self._scan()
        running = (None, None)
        for pid in list(self.alive):
            st = proc_stat(pid)
            name = self.tracked[pid]
            if st is None or st[0] in ("Z", "X"):
                self.alive.discard(pid)
                if name and name not in self.ended:
                    self.ended[name] = now
                continue
            if name is None:
                name = proc_stage(pid)
                if name:
                    self.tracked[pid] = name
                    self.started.setdefault(name, now)
            if name:
                running = (pid, name)
        return running

    def still_running(self, pid):
        st = proc_stat(pid)
        return st is not None and st[0] not in ("Z", "X")


def reap_all():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def wait_group_gone(pgid):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        reap_all()
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            pass
        time.sleep(0.001)
    return False


# --- running a night -----------------------------------------------------------

class Run:
    def __init__(self, root):
        self.root = root
        self.state = os.path.join(root, "state")
        self.out = os.path.join(root, "out")
        self.archive = os.path.join(root, "archive")
        self.log = os.path.join(root, "log")

    def env(self, extra=None):
        e = dict(os.environ)
        e["PIPELINE_ARCHIVE_DIR"] = self.archive
        # The archive records when a night was sealed (BASE.sealed, beside
        # the seal): one fixed time (reproducible builds' convention) keeps
        # whole archives comparable.
        e["SOURCE_DATE_EPOCH"] = "1612569600"
        e.update(extra or {})
        return e

    def argv(self, night):
        date, drops = NIGHTS[night]
        return [os.path.join(BIN, "pipeline"), "run", "--quiet", "--date", date,
                "--conf", CONF, "--drops", drops, "--state", self.state, "--out", self.out]

    def start(self, night, extra=None):
        os.makedirs(self.root, exist_ok=True)
        logf = open(self.log, "ab")
        logf.write(("$ %s%s\n" % ("".join("%s=%s " % kv for kv in (extra or {}).items()),
                                  " ".join(self.argv(night)))).encode())
        logf.flush()
        p = subprocess.Popen(self.argv(night), env=self.env(extra), stdout=logf, stderr=logf,
                             stdin=subprocess.DEVNULL, start_new_session=True)
        logf.close()
        return p

    def night(self, night, watch=False, extra=None):
        """Runs a night to its end: (exit code, {stage: seconds it ran},
        {stage: seconds from the start of the night to its start})."""
        t = time.monotonic()
        p = self.start(night, extra)
        w = Watch(p.pid)
        while p.poll() is None:
            if watch:
                w.poll()
                time.sleep(POLL)
            else:
                time.sleep(0.005)
        if watch:
            w.poll()
        wait_group_gone(p.pid)
        durations = {s: w.ended[s] - w.started[s] for s in w.started if s in w.ended}
        offsets = {s: w.started[s] - t for s in w.started}
        return p.returncode, durations, offsets

    def night_killed(self, night, target, fraction, refdur, refoff):
        """Runs a night and kills its process group inside stage target, at
        fraction of its expected duration: the reference's, scaled by how
        much slower or faster this run reached the stage than the reference
        did (the machine's load changes). Returns (what ran at the kill,
        seconds into the target, exit code if it was not killed)."""
        t = time.monotonic()
        p = self.start(night)
        w = Watch(p.pid)
        order = STAGES.index(target)
        while True:
            if p.poll() is not None:
                wait_group_gone(p.pid)
                return None, None, p.returncode
            pid, name = w.poll()
            if name == target:
                break
            if name and STAGES.index(name) > order:
                # target too fast to be seen: kill where we are
                pid = None
                break
            time.sleep(POLL)
        t0 = w.started.get(target, time.monotonic())
        scale = (t0 - t) / refoff if refoff > 0.005 else 1.0
        deadline = t0 + fraction * refdur * min(max(scale, 0.5), 4.0)
        while True:
            now = time.monotonic()
            if now >= deadline:
                break
            time.sleep(min(POLL, deadline - now))
        # what runs at this moment: the target, or another stage, or none
        if pid is not None and w.still_running(pid):
            actual = target
        else:
            _, name = w.poll()
            actual = name if name else BETWEEN
        at = time.monotonic() - t0
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            actual = BETWEEN if actual == target else actual
        p.wait()
        if not wait_group_gone(p.pid):
            raise RuntimeError("process group %d survived SIGKILL" % p.pid)
        with open(self.log, "ab") as f:
            f.write(("# killed (SIGKILL to group %d) %.2f ms into %s; running: %s\n"
                     % (p.pid, at * 1000, target, actual)).encode())
        return actual, at, None


# --- checks -------------------------------------------------------------------

def files_under(root):
    """{relative path: full path} of every file, and of every directory
    (relative path ending in /: an empty directory left is a trace too)."""
    out = {}
    for d, dirs, files in os.walk(root):
        for f in files:
            full = os.path.join(d, f)
            out[os.path.relpath(full, root)] = full
        for x in dirs:
            full = os.path.join(d, x)
            out[os.path.relpath(full, root) + os.sep] = full
    return out


def is_temporary(rel):
    parts = rel.rstrip(os.sep).split(os.sep)
    return bool(TMP_NAME.search(parts[-1])) or ".partial" in parts or ".unpack" in parts


def compare_tree(ref, run, label):
    """Problems: files missing, extra or with other bytes (temporaries are
    counted apart)."""
    a, b = files_under(ref), files_under(run)
    a = {rel: p for rel, p in a.items() if not is_temporary(rel)}
    b = {rel: p for rel, p in b.items() if not is_temporary(rel)}
    probs = []
    for rel in sorted(set(a) | set(b)):
        if rel not in b:
            probs.append("%s/%s: missing" % (label, rel))
        elif rel not in a:
            probs.append("%s/%s: not in the reference" % (label, rel))
        elif not rel.endswith(os.sep) and not filecmp.cmp(a[rel], b[rel], shallow=False):
            probs.append("%s/%s: differs from the reference" % (label, rel))
    return probs


def mdb_dump_all(store):
    """{database: {key: value}} of a store, by mdb_dump -p -a."""
    r = subprocess.run(["mdb_dump", "-p", "-a", store], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    if r.returncode:
        raise RuntimeError("mdb_dump %s: %s" % (store, r.stderr.decode(errors="replace")))
    dbs, cur, name, in_data, pending = {}, None, None, False, None
    for line in r.stdout.decode("latin-1").split("\n"):
        if line.startswith("database="):
            name = line[len("database="):]
        elif line == "HEADER=END":
            cur = dbs.setdefault(name or "", {})
            in_data, pending = True, None
        elif line == "DATA=END":
            in_data, name = False, None
        elif in_data and line.startswith(" "):
            if pending is None:
                pending = line[1:]
            else:
                cur[pending] = line[1:]
                pending = None
    return dbs


RECEIVED = re.compile(r"received=[0-9T:Z-]*")


def store_view(dbs):
    """What must not depend on kills: every database but the ledger (times,
    the entries' numbers) and meta's ledger-seq; a receipt without its time
    of receipt."""
    view = {}
    for name, kv in dbs.items():
        if name in ("ledger", ""):
            continue
        if name == "meta":
            kv = {k: v for k, v in kv.items() if k != "ledger-seq"}
        if name == "receipts":
            kv = {k: RECEIVED.sub("received=*", v) for k, v in kv.items()}
        view[name] = kv
    return view


def compare_store(ref, run):
    """(voucher problems, other store problems)."""
    vprobs, sprobs = [], []
    for name in sorted(set(ref) | set(run)):
        a, b = ref.get(name, {}), run.get(name, {})
        if a == b:
            continue
        probs = vprobs if name == "vouchers" else sprobs
        extra = sorted(set(b) - set(a))
        lost = sorted(set(a) - set(b))
        changed = sorted(k for k in set(a) & set(b) if a[k] != b[k])
        if name == "vouchers":
            for k in extra:
                probs.append("store vouchers: a voucher the reference did not issue "
                             "(duplicate?): key %s" % k[:120])
            for k in lost:
                probs.append("store vouchers: a voucher of the reference lost: key %s" % k[:120])
            for k in changed:
                probs.append("store vouchers: key %s: other content than the reference's"
                             % k[:120])
        else:
            probs.append("store %s: %d entries more, %d fewer, %d changed (first: %s)"
                         % (name, len(extra), len(lost), len(changed),
                            (extra + lost + changed)[0][:160]))
    return vprobs, sprobs


def voucher_files(ref_out, run_out):
    probs = []
    for date, _ in NIGHTS:
        a = set(os.listdir(os.path.join(ref_out, date, "vouchers")))
        d = os.path.join(run_out, date, "vouchers")
        b = set(os.listdir(d)) if os.path.isdir(d) else set()
        a = {x for x in a if x.endswith(".xml")}
        b = {x for x in b if x.endswith(".xml")}
        for x in sorted(b - a):
            probs.append("%s vouchers/%s: issued, the reference did not (duplicate?)" % (date, x))
        for x in sorted(a - b):
            probs.append("%s vouchers/%s: the reference's voucher is lost" % (date, x))
    return probs


def temporaries(run):
    found = []
    for root in (run.state, run.out, run.archive):
        for d, dirs, files in os.walk(root):
            for f in files:
                if TMP_NAME.search(f):
                    found.append(os.path.join(d, f))
            for x in dirs:
                if x == ".unpack" or (x == "tmp" and d.startswith(run.state)):
                    found.append(os.path.join(d, x) + "/")
    partial = os.path.join(run.state, "landing", ".partial")
    for d, dirs, files in os.walk(partial):
        for f in files:
            p = os.path.join(d, f)
            if p not in found:
                found.append(p)
    return [os.path.relpath(p, run.root) for p in sorted(set(found))]


def check_store_cmd(run):
    """(ok, skipped, text) of 'pipeline check-store'."""
    r = subprocess.run([os.path.join(BIN, "pipeline"), "check-store", "--conf", CONF,
                        "--state", run.state, "--out", run.out], cwd=TOP,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=run.env())
    err = r.stderr.decode(errors="replace")
    if r.returncode == 64 and "unknown command" in err:
        return True, True, ""
    return r.returncode == 0, False, (r.stdout.decode(errors="replace") + err).strip()


def status_ok(run):
    probs = []
    for date, _ in NIGHTS:
        r = subprocess.run([os.path.join(BIN, "pipeline"), "status", "--date", date, "--conf",
                            CONF, "--state", run.state], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, env=run.env())
        if r.returncode != 0:
            probs.append("pipeline status --date %s: exit %d" % (date, r.returncode))
    return probs


class Reference:
    def __init__(self, run):
        self.run = run
        self.store = store_view(mdb_dump_all(os.path.join(run.state, "store")))
        self.durations = {}


def check(ref, run):
    """{kind: [problems]} for one finished run."""
    p = {"mismatch": [], "store-check": [], "vouchers": [], "temporaries": []}
    p["mismatch"] += compare_tree(ref.run.out, run.out, "OUT")
    p["mismatch"] += compare_tree(ref.run.archive, run.archive, "ARCHIVE")
    p["mismatch"] += compare_tree(os.path.join(ref.run.state, "landing"),
                                  os.path.join(run.state, "landing"), "STATE/landing")
    p["temporaries"] += ["left: " + t for t in temporaries(run)]
    p["mismatch"] += status_ok(run)
    vprobs, sprobs = compare_store(ref.store, store_view(
        mdb_dump_all(os.path.join(run.state, "store"))))
    p["vouchers"] += vprobs + voucher_files(ref.run.out, run.out)
    p["mismatch"] += sprobs
    ok, skipped, text = check_store_cmd(run)
    if not ok:
        p["store-check"].append("pipeline check-store: " + text.replace("\n", "; ")[:400])
    return p, skipped


# --- the driver ------------------------------------------------------------------

def target_of(k):
    """Kill k (1-based): (night index, stage)."""
    i = k - 1
    return (i // len(STAGES)) % len(NIGHTS), STAGES[i % len(STAGES)]


def one_kill(args, ref, k):
    night, target = target_of(k)
    rnd = random.Random("%d:%d" % (args.seed, k))
    fraction = rnd.random()
    root = os.path.join(args.dir, "k%04d" % k)
    shutil.rmtree(root, ignore_errors=True)
    run = Run(root)
    res = {"k": k, "night": night, "target": target, "fraction": fraction,
           "actual": None, "at": None, "problems": {}, "skipped": False, "root": root}
    for n in range(night):
        rc, _, _ = run.night(n)
        if rc != ref.exits[n]:
            res["problems"] = {"mismatch": ["night %s before the kill: exit %d, reference %d"
                                            % (NIGHTS[n][0], rc, ref.exits[n])]}
            return res
    refdur = ref.durations.get((night, target), 0.001)
    actual, at, rc = run.night_killed(night, target, fraction, refdur,
                                      ref.offsets.get((night, target), 0))
    res["actual"], res["at"] = actual or "(not killed: the night ended)", at
    probs = []
    for n in range(night, len(NIGHTS)):
        rc, _, _ = run.night(n)
        if rc != ref.exits[n]:
            probs.append("%s after the kill: pipeline run exit %d, reference %d"
                         % (NIGHTS[n][0], rc, ref.exits[n]))
    res["problems"], res["skipped"] = check(ref, run)
    res["problems"]["mismatch"] = probs + res["problems"]["mismatch"]
    return res


# --- exact kill points (--points) -------------------------------------------

KILLPOINT = os.path.join(TOP, os.environ.get("BUILD", "build/opt"), "tests", "killpoint.so")


def count_points(args, ref, night):
    """{program: (commits, renames)} of an uninterrupted run of night."""
    run = Run(os.path.join(args.dir, "count%d" % (night + 1)))
    shutil.rmtree(run.root, ignore_errors=True)
    for n in range(night):
        run.night(n)
    counts = os.path.join(run.root, "points")
    rc, _, _ = run.night(night, extra={"LD_PRELOAD": KILLPOINT, "KILLPOINT_COUNT": counts})
    if rc != ref.exits[night]:
        sys.exit("crash: the counting run of %s exits %d" % (NIGHTS[night][0], rc))
    out = {}
    with open(counts) as f:
        for line in f:
            prog, what, n = line.split()
            c = out.setdefault(prog, {"commit": 0, "rename": 0})
            c[what] = max(c[what], int(n))
    shutil.rmtree(run.root)
    return out


def one_point(args, ref, k, night, prog, point):
    root = os.path.join(args.dir, "p%04d" % k)
    shutil.rmtree(root, ignore_errors=True)
    run = Run(root)
    stage = prog[6:] if prog.startswith("stage-") else BETWEEN
    res = {"k": k, "night": night, "target": stage, "fraction": 0, "actual": stage,
           "at": None, "problems": {}, "skipped": False, "root": root, "point": point,
           "prog": prog}
    for n in range(night):
        run.night(n)
    rc, _, _ = run.night(night, extra={"LD_PRELOAD": KILLPOINT, "KILLPOINT": point,
                                    "KILLPOINT_PROG": prog})
    probs = []
    if rc == ref.exits[night] and prog != "pipeline":
        # the stage was not killed: a point past its end
        probs.append("%s %s: not killed (pipeline exit %d)" % (prog, point, rc))
    for n in range(night, len(NIGHTS)):
        rc, _, _ = run.night(n)
        if rc != ref.exits[n]:
            probs.append("%s after the kill: pipeline run exit %d, reference %d"
                         % (NIGHTS[n][0], rc, ref.exits[n]))
    res["problems"], res["skipped"] = check(ref, run)
    res["problems"]["mismatch"] = probs + res["problems"]["mismatch"]
    return res


def points_mode(args, ref):
    if not os.path.exists(KILLPOINT):
        sys.exit("crash: %s missing: run make first" % KILLPOINT)
    results, skipped, k = [], False, 0
    for night in range(len(NIGHTS)):
        counts = count_points(args, ref, night)
        progs = ["stage-" + st for st in STAGES] + ["pipeline"]
        for prog in progs:
            if args.stage and prog[6:] not in args.stage and prog not in args.stage:
                continue
            c = counts.get(prog, {"commit": 0, "rename": 0})
            points = ["%s-%s:%d" % (when, what, i) for what in ("commit", "rename")
                      for i in range(1, c[what] + 1) for when in ("before", "after")]
            for point in points:
                k += 1
                res = one_point(args, ref, k, night, prog, point)
                results.append(res)
                skipped = skipped or res["skipped"]
                bad = failed(res)
                if args.verbose or bad:
                    print("point %d: night %s, %s %s -> %s" % (k, NIGHTS[night][0], prog,
                                                             point, "FAILED" if bad else "ok"))
                if bad:
                    for kind, probs in res["problems"].items():
                        for x in probs[:12]:
                            print("    %s: %s" % (kind, x))
                    print("    kept %s" % res["root"])
                elif not args.keep:
                    shutil.rmtree(res["root"], ignore_errors=True)
                sys.stdout.flush()
    return results, skipped


def failed(res):
    return any(res["problems"].values())


def make_reference(args):
    """The reference run (and a control run, which must be the same)."""
    ref_run = Run(os.path.join(args.dir, "ref"))
    ctl_run = Run(os.path.join(args.dir, "control"))
    for r in (ref_run, ctl_run):
        shutil.rmtree(r.root, ignore_errors=True)
    durs, offs = {}, {}
    exits = []
    for n in range(len(NIGHTS)):
        rc, d, o = ref_run.night(n, watch=True)
        exits.append(rc)
        for s, t in d.items():
            durs.setdefault((n, s), []).append(t)
        for s, t in o.items():
            offs.setdefault((n, s), []).append(t)
        rc2, d, o = ctl_run.night(n, watch=True)
        if rc2 != rc:
            sys.exit("crash: the control run of %s exits %d, the reference %d"
                     % (NIGHTS[n][0], rc2, rc))
        for s, t in d.items():
            durs.setdefault((n, s), []).append(t)
        for s, t in o.items():
            offs.setdefault((n, s), []).append(t)
    ref = Reference(ref_run)
    ref.exits = exits
    ref.durations = {key: sum(v) / len(v) for key, v in durs.items()}
    ref.offsets = {key: sum(v) / len(v) for key, v in offs.items()}
    p, _ = check(ref, ctl_run)
    if any(p.values()):
        for kind, probs in p.items():
            for x in probs:
                print("crash: control run: %s: %s" % (kind, x))
        sys.exit("crash: two uninterrupted runs differ: the checks cannot be trusted (kept %s)"
                 % args.dir)
    shutil.rmtree(ctl_run.root)
    return ref


def table(args, ref, results, skipped):
    rows = STAGES + [BETWEEN]
    cols = ("aimed", "landed", "mismatch", "store-check", "vouchers", "temporaries")
    agg = {r: dict.fromkeys(cols, 0) for r in rows}
    fast = []
    for res in results:
        agg[res["target"]]["aimed"] += 1
        actual = res["actual"] if res["actual"] in agg else BETWEEN
        if res["actual"] == res["target"]:
            agg[res["target"]]["landed"] += 1
        for kind in cols[2:]:
            if res["problems"].get(kind):
                agg[actual][kind] += 1
    print()
    print("%-22s %7s %7s  %8s %11s %8s %11s   %s" % ("stage", "aimed", "landed", "mismatch",
          "store-check", "vouchers", "temporaries", "ref ms night 1 / night 2"))
    tot = dict.fromkeys(cols, 0)
    for r in rows:
        a = agg[r]
        if r == BETWEEN:
            landed = sum(1 for res in results if res["actual"] == BETWEEN)
            durs = "(bin/pipeline's own points)" if a["aimed"] else ""
            aimed = a["aimed"] if a["aimed"] else "-"
        else:
            landed = a["landed"]
            aimed = a["aimed"]
            durs = " / ".join("%.1f" % (ref.durations.get((n, r), 0) * 1000)
                              for n in range(len(NIGHTS)))
            if a["aimed"] >= 10 and a["landed"] < 10:
                fast.append(r)
        print("%-22s %7s %7d  %8d %11s %8d %11d   %s" % (
            r, aimed, landed, a["mismatch"], "skipped" if skipped else a["store-check"],
            a["vouchers"], a["temporaries"], durs))
        for c in cols[2:]:
            tot[c] += a[c]
    nfail = sum(1 for res in results if failed(res))
    missed = sum(1 for res in results if res["actual"] and res["actual"].startswith("(not"))
    print("%-22s %7d %7d  %8d %11s %8d %11d" % (
        "total", len(results), sum(1 for res in results if res["actual"] == res["target"]),
        tot["mismatch"], "skipped" if skipped else tot["store-check"], tot["vouchers"],
        tot["temporaries"]))
    print()
    print("%s, %d kill(s): %d failed, %d landed between stages, %d not killed "
          "(the night ended first)" % ("kill points" if args.points else "seed %d" % args.seed,
                                        len(results), nfail,
                                        sum(1 for res in results if res["actual"] == BETWEEN),
                                        missed))
    if skipped:
        print("check-store: skipped: bin/pipeline does not know 'check-store' yet")
    print("landed: kills aimed at the stage that hit it while it ran; a failure is counted in "
          "the row of the stage that ran at the kill")
    if fast:
        print("fewer than 10 kills landed inside (too fast to hit?): %s" % ", ".join(fast))
    return nfail


def main():
    ap = argparse.ArgumentParser(description="kill -9 the pipeline at random moments of "
                                 "every stage; the rerun must leave no trace")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--kills", type=int, default=len(STAGES) * 2 * 15)
    ap.add_argument("--only", type=int, help="redo kill K alone (same seed)")
    ap.add_argument("--dir", default=os.path.join(TOP, "tests", "trash", "crash"),
                    help="where the runs go (default tests/trash/crash)")
    ap.add_argument("--keep", action="store_true", help="keep every kill's directories")
    ap.add_argument("--verbose", action="store_true", help="a line per kill")
    ap.add_argument("--points", action="store_true",
                    help="instead of random kills, kill at every exact point: before and "
                    "after each LMDB commit and each rename() of every stage (and of "
                    "bin/pipeline), by tests/crash/killpoint.so")
    ap.add_argument("--stage", action="append",
                    help="with --points: only this stage (repeatable; 'pipeline' too)")
    args = ap.parse_args()
    args.dir = os.path.abspath(args.dir)
    for p in (os.path.join(BIN, "pipeline"),) + tuple(os.path.join(BIN, "stage-" + s)
                                                      for s in STAGES):
        if not os.access(p, os.X_OK):
            sys.exit("crash: %s missing: run make first" % p)
    if shutil.which("mdb_dump") is None:
        sys.exit("crash: mdb_dump (lmdb-utils) is needed")
    become_subreaper()
    os.makedirs(args.dir, exist_ok=True)
    t0 = time.monotonic()
    ref = make_reference(args)
    print("crash: reference: %s exit %s, %d stages; seed %d"
          % (", ".join(d for d, _ in NIGHTS), "/".join(map(str, ref.exits)), len(STAGES),
             args.seed))
    if args.points:
        results, skipped = points_mode(args, ref)
        nfail = table(args, ref, results, skipped)
        print("%.0f s" % (time.monotonic() - t0))
        return 1 if nfail else 0
    ks = [args.only] if args.only else range(1, args.kills + 1)
    results, skipped = [], False
    for k in ks:
        res = one_kill(args, ref, k)
        results.append(res)
        skipped = skipped or res["skipped"]
        bad = failed(res)
        if args.verbose or bad:
            at = "%.2f ms" % (res["at"] * 1000) if res["at"] is not None else "-"
            print("kill %d: night %s, aimed at %s (%.0f%% of %.1f ms), killed %s in: %s -> %s"
                  % (k, NIGHTS[res["night"]][0], res["target"], res["fraction"] * 100,
                     ref.durations.get((res["night"], res["target"]), 0) * 1000, at,
                     res["actual"], "FAILED" if bad else "ok"))
        if bad:
            for kind, probs in res["problems"].items():
                for x in probs[:12]:
                    print("    %s: %s" % (kind, x))
                if len(probs) > 12:
                    print("    %s: ... %d more" % (kind, len(probs) - 12))
            print("    kept %s; repeat: tests/crash/run.sh --seed %d --only %d --dir %s"
                  % (res["root"], args.seed, k, args.dir))
        elif not args.keep:
            shutil.rmtree(res["root"], ignore_errors=True)
        sys.stdout.flush()
    nfail = table(args, ref, results, skipped)
    print("%.0f s" % (time.monotonic() - t0))
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())
