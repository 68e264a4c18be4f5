"""What the scenario generators (tests/gen-*.py) share."""
import os


def kr(ore, dots=True):
    """Danish notation: 123456 -> 1.234,56 (dots=False: 1234,56)."""
    sign = "-" if ore < 0 else ""
    ore = abs(ore)
    whole = f"{ore // 100:,}".replace(",", ".") if dots else str(ore // 100)
    return f"{sign}{whole},{ore % 100:02d}"


def write(path, header, rows, encoding="utf-8"):
    """A ';' file with its header and its .done marker."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if not isinstance(header, str):
        header = ";".join(header)
    with open(path, "w", encoding=encoding, newline="") as f:
        f.write(header + "\n")
        for r in rows:
            f.write(";".join(r) + "\n")
    open(path + ".done", "w").close()


def write_expect(path, expect):
    """The breaks a stage must report: month;key;code;amount, sorted."""
    with open(path, "w") as f:
        for month, key, code, amount in sorted(expect):
            f.write(f"{month};{key};{code};{kr(amount, dots=False)}\n")
