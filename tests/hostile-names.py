#!/usr/bin/env python3
"""Names an input may carry that must decide nothing outside the landing
area (tests/t0730-hostile-names.sh):

    hostile-names.py listing OUTSIDE       the listing of tests/hostile-sftp.py (JSON)
    hostile-names.py archives DIR OUTSIDE  one zip and one tar per bad name in DIR,
                                           and archives with deep paths and a symlink

OUTSIDE is a directory the names point into; nothing may appear there.
Index i of BAD is archive KY_zII / KY_tII.
"""
import io
import json
import sys
import tarfile
import zipfile


def bad(outside):
    return [
        b"../../../../../outside/rel.csv",      # 0 climbs out of landing/DATE/INTO
        b"sub/../../escape.csv",                # 1 a directory, then '..'
        outside + b"/abs.csv",                  # 2 an absolute path
        b"..hidden.csv",                        # 3
        b".hidden.csv",                         # 4 a leading dot
        b"ctl\x01.csv",                         # 5 control characters
        b"nl\n.csv",                            # 6
        b"esc\x1b[31m.csv",                     # 7 a terminal escape
        b"back\\slash.csv",                     # 8
        b"KY_at@0123.csv",                      # 9 '@' is kept for NAME@FILEID
        b"L" * 300 + b".csv",                   # 10 over NAME_MAX (255)
        b"P" * 5000 + b".csv",                  # 11 over PATH_MAX (4096)
    ]


def listing(outside):
    e = []
    for n in bad(outside) + [b"KY_nul.csv\x00/../../x"]:
        e += [{"name": n.hex(), "size": 4, "content": b"bad\n".hex()},
              {"name": (n + b".done").hex(), "size": 0}]
    good = b"KY_Good_20210205.csv"
    e += [{"name": good.hex(), "size": 5, "content": b"good\n".hex()},
          {"name": (good + b".done").hex(), "size": 0},
          {"name": b"KY_Longer_20210205.csv".hex(), "size": 10, "endless": True},
          {"name": b"KY_Longer_20210205.csv.done".hex(), "size": 0},
          {"name": b"KY_Huge_20210205.csv".hex(), "size": 2**62, "content": b"small\n".hex()},
          {"name": b"KY_Huge_20210205.csv.done".hex(), "size": 0},
          {"name": b"KY_Dir.csv".hex(), "size": 0, "dir": True},
          {"name": b"KY_Dir.csv.done".hex(), "size": 0}]
    json.dump(e, sys.stdout)


def archives(d, outside):
    for i, n in enumerate(bad(outside)):
        s = n.decode("utf-8", "surrogateescape")
        with zipfile.ZipFile("%s/KY_z%02d_20210205.zip" % (d, i), "w") as z:
            z.writestr("KY_ok_%02d.csv" % i, "ok\n")
            z.writestr(zipfile.ZipInfo(s), "bad\n")
        with tarfile.open("%s/KY_t%02d_20210205.tar" % (d, i), "w", format=tarfile.PAX_FORMAT) as t:
            ti = tarfile.TarInfo("KY_ok_%02d.csv" % i)
            ti.size = 3
            t.addfile(ti, io.BytesIO(b"ok\n"))
            ti = tarfile.TarInfo(s)
            ti.size = 4
            t.addfile(ti, io.BytesIO(b"bad\n"))
    with tarfile.open(d + "/KY_deep_20210205.tar", "w", format=tarfile.PAX_FORMAT) as t:
        ti = tarfile.TarInfo("d/" * 2100 + "KY_deep_20210205.csv")
        ti.size = 5
        t.addfile(ti, io.BytesIO(b"deep\n"))
    with zipfile.ZipFile(d + "/KY_deepz_20210205.zip", "w") as z:
        z.writestr("e/" * 2100 + "KY_deepz_20210205.csv", "deepz\n")
    with tarfile.open(d + "/KY_link_20210205.tar", "w") as t:
        ti = tarfile.TarInfo("link")
        ti.type = tarfile.SYMTYPE
        ti.linkname = outside.decode()
        t.addfile(ti)
        ti = tarfile.TarInfo("link/KY_via_20210205.csv")
        ti.size = 4
        t.addfile(ti, io.BytesIO(b"via\n"))


if __name__ == "__main__":
    if sys.argv[1] == "listing":
        listing(sys.argv[2].encode())
    else:
        archives(sys.argv[2], sys.argv[3].encode())
