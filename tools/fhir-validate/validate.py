"""Validate FHIR R4 JSON with three independent validators (plus the harness's JSON rules).

Usage: validate.py [-q] [--validators NAME,...] FILE...

Each FILE is a FHIR JSON resource, a Bundle (validated as a whole and each entry[].resource on
its own, recursively), or NDJSON (one resource per line; chosen by a .ndjson/.jsonl suffix or
by content). Every resource goes through:

  fhir.resources  fhir.resources.construct_fhir_element(resourceType, dict)   (pydantic 1)
  fhirclient      fhirclient.models.<type>.<Type>(jsondict, strict=True)
  fhir.js         new Fhir().validate(resource, {errorOnUnexpected: true})    (node worker)
  fhir-json       this file's FhirJson: FHIR JSON rules (no null/empty values), no library

Output (stdout): one line per error,
  validator<TAB>file[:line][:entry[i]...]<TAB>resourceType/id<TAB>message
then summary lines starting with "# ". Exit status: 0 no errors, 1 errors, 2 usage error
(missing/unreadable file, invalid JSON, not a FHIR resource), 3 harness not set up or broken.

Run it through validate.sh, which picks the virtualenv made by setup.sh.
"""

import copy
import importlib
import importlib.metadata
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
VALIDATORS = ("fhir.resources", "fhirclient", "fhir.js", "fhir-json")
EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_SETUP = 0, 1, 2, 3
TYPE_NAME = re.compile(r"^[A-Z][A-Za-z]{1,63}$")


class UsageError(Exception):
    def __init__(self, message, show_usage=False):
        super().__init__(message)
        self.show_usage = show_usage


class SetupError(Exception):
    pass


# --------------------------------------------------------------------------- input


class Item:
    """One resource to validate."""

    __slots__ = ("index", "label", "resource", "is_entry")

    def __init__(self, index, label, resource, is_entry):
        self.index = index
        self.label = label
        self.resource = resource
        self.is_entry = is_entry

    @property
    def rtype(self):
        return self.resource.get("resourceType")

    @property
    def ref(self):
        rid = self.resource.get("id")
        return "%s/%s" % (self.rtype, rid if isinstance(rid, str) and rid else "-")


def _reject_constant(name):
    raise ValueError("%s is not valid JSON" % name)


def _no_duplicates(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise ValueError("duplicate key %r in one JSON object" % key)
        obj[key] = value
    return obj


def parse_json(text):
    return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)


def _json_error(exc, one_line=False):
    if isinstance(exc, json.JSONDecodeError):
        if one_line:
            return "invalid JSON: %s (column %d)" % (exc.msg, exc.colno)
        return "invalid JSON: %s (line %d, column %d)" % (exc.msg, exc.lineno, exc.colno)
    return "invalid JSON: %s" % exc


def read_file(path):
    """Returns [(location suffix, resource dict)] for one input file."""
    if not os.path.exists(path):
        raise UsageError("%s: no such file" % path)
    if os.path.isdir(path):
        raise UsageError("%s: is a directory (pass the files, e.g. DIR/*.json)" % path)
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise UsageError("%s: cannot read: %s" % (path, e.strerror or e))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise UsageError("%s: not UTF-8 (byte offset %d)" % (path, e.start))
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise UsageError("%s: empty file" % path)

    whole_error = None
    if not path.lower().endswith((".ndjson", ".jsonl")):
        try:
            return [("", parse_json(text))]
        except json.JSONDecodeError as e:
            if e.msg != "Extra data":
                raise UsageError("%s: %s" % (path, _json_error(e)))
            whole_error = e  # several JSON values: try one per line (NDJSON)
        except (ValueError, RecursionError) as e:
            raise UsageError("%s: %s" % (path, _json_error(e)))

    out = []
    # split on "\n" only: str.splitlines() would also split on U+2028 inside JSON strings
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            out.append((":%d" % lineno, parse_json(line)))
        except (ValueError, RecursionError) as e:
            if whole_error is not None:  # not NDJSON after all: report the first error
                raise UsageError("%s: %s" % (path, _json_error(whole_error)))
            raise UsageError("%s:%d: %s" % (path, lineno, _json_error(e, one_line=True)))
    if not out:
        raise UsageError("%s: no resources in NDJSON file" % path)
    return out


def collect(paths):
    """Reads every file; returns the items, or raises UsageError listing every problem."""
    items, problems = [], []
    for path in paths:
        try:
            values = read_file(path)
        except UsageError as e:
            problems.append(str(e))
            continue
        for suffix, value in values:
            where = path + suffix
            if not isinstance(value, dict):
                problems.append("%s: not a FHIR resource (a JSON %s, not an object)"
                                % (where, type(value).__name__))
                continue
            if not isinstance(value.get("resourceType"), str) or not value["resourceType"]:
                problems.append("%s: not a FHIR resource (no \"resourceType\" string)" % where)
                continue
            try:
                json.dumps(value, allow_nan=False)
            except ValueError:
                problems.append("%s: a number is out of range for JSON" % where)
                continue
            _add(items, where, value, False)
    if problems:
        raise UsageError("\n".join(problems))
    return items


def _add(items, label, resource, is_entry):
    items.append(Item(len(items), label, resource, is_entry))
    if resource.get("resourceType") == "Bundle" and isinstance(resource.get("entry"), list):
        for i, entry in enumerate(resource["entry"]):
            if not isinstance(entry, dict):
                continue  # the Bundle's own validation reports it
            inner = entry.get("resource")
            if isinstance(inner, dict) and isinstance(inner.get("resourceType"), str):
                sep = ":" if not is_entry else "."
                _add(items, "%s%sentry[%d]" % (label, sep, i), inner, True)


# ------------------------------------------------------------------------ helpers


def one_line(text):
    return re.sub(r"\s+", " ", str(text)).strip()


def loc_path(loc):
    parts = []
    for p in loc:
        if isinstance(p, int):
            parts.append("[%d]" % p)
        elif p == "__root__":
            continue
        else:
            parts.append(("." if parts else "") + str(p))
    return "".join(parts) or "(root)"


_FC_OBJECT = re.compile(r"<fhirclient\.models\.[\w.]*?\.(\w+) object at 0x[0-9a-fA-F]+>")
_FC_INDEX = re.compile(r"\.(\d+)(?=\.|$)")
_FC_CLASS = re.compile(r"<class '(?:[\w.]*\.)?(\w+)'>")


def fc_clean(text):
    """Drops memory addresses and module paths from fhirclient messages (stable output)."""
    return _FC_CLASS.sub(r"\1", _FC_OBJECT.sub(r"\1", text))


# ---------------------------------------------------------------------- validators


class FhirResources:
    name = "fhir.resources"

    def __init__(self):
        import fhir.resources as fr
        from fhir.resources.resource import Resource
        from pydantic import ValidationError

        if fr.__fhir_version__ != "4.0.1":
            raise SetupError("fhir.resources models are FHIR %s, expected 4.0.1" % fr.__fhir_version__)
        self.fr = fr
        self.resource_base = Resource
        self.validation_error = ValidationError

    def check(self, resource):
        rtype = resource["resourceType"]
        try:
            klass = self.fr.get_fhir_model_class(rtype)
        except KeyError:
            return ["resourceType: %r is not a FHIR R4 resource type" % rtype]
        if not issubclass(klass, self.resource_base):
            return ["resourceType: %r is a data type, not a resource type" % rtype]
        try:
            self.fr.construct_fhir_element(rtype, copy.deepcopy(resource))
        except self.validation_error as e:
            return ["%s: %s" % (loc_path(err["loc"]), err["msg"]) for err in e.errors()]
        except Exception as e:  # the models raise plain errors for some malformed input
            return ["(root): %s: %s" % (type(e).__name__, e)]
        return []


class FhirClient:
    name = "fhirclient"

    def __init__(self):
        from fhirclient.models import fhirabstractbase, resource

        self.validation_error = fhirabstractbase.FHIRValidationError
        self.resource_base = resource.Resource
        self.classes = {}

    def _class(self, rtype):
        if rtype not in self.classes:
            klass = None
            if TYPE_NAME.match(rtype):
                try:
                    module = importlib.import_module("fhirclient.models." + rtype.lower())
                    klass = getattr(module, rtype, None)
                except ImportError:
                    klass = None
            self.classes[rtype] = klass
        return self.classes[rtype]

    def _flatten(self, err, path, out):
        if isinstance(err, self.validation_error):
            if err.path:
                path = "%s.%s" % (path, err.path) if path else err.path
            for inner in err.errors:
                self._flatten(inner, path, out)
            return
        if isinstance(err, KeyError) and len(err.args) == 1:
            text = str(err.args[0])
        else:
            text = str(err)
        path = _FC_INDEX.sub(r"[\1]", path)
        out.append("%s: %s: %s" % (path or "(root)", type(err).__name__, fc_clean(text)))

    def check(self, resource):
        rtype = resource["resourceType"]
        klass = self._class(rtype)
        if klass is None:
            return ["resourceType: %r is not a FHIR R4 resource type" % rtype]
        if not (isinstance(klass, type) and issubclass(klass, self.resource_base)):
            return ["resourceType: %r is a data type, not a resource type" % rtype]
        try:
            klass(jsondict=copy.deepcopy(resource), strict=True)
        except Exception as e:
            out = []
            self._flatten(e, "", out)
            return out
        return []


_SURROGATE = re.compile("[\ud800-\udfff]")


class FhirJson:
    """The harness's own check of FHIR's JSON representation rules (R4 json.html), which none
    of the three libraries enforces: no null (except as a placeholder in a primitive array
    whose `_name` partner array carries the extension, or vice versa), no empty object, no
    empty array, no empty string, no array directly inside an array, `name`/`_name` arrays of
    equal length, and no unpaired surrogate escapes (`"\\ud800"`) in strings. Null and empty
    values are what a serde serializer writes when an Option or Vec field lacks
    `skip_serializing_if`."""

    name = "fhir-json"

    def check(self, resource):
        out = []
        self._object(resource, "", out)
        return out

    def _object(self, obj, path, out):
        if not obj:
            out.append("%s: empty object (FHIR JSON objects are never empty)" % (path or "(root)"))
            return
        for key, value in obj.items():
            where = "%s.%s" % (path, key) if path else key
            if value is None:
                out.append("%s: null (FHIR JSON allows null only inside primitive arrays)" % where)
            elif isinstance(value, list):
                partner_key = key[1:] if key.startswith("_") else "_" + key
                partner = obj.get(partner_key)
                partner = partner if isinstance(partner, list) else None
                if not value:
                    out.append("%s: empty array (FHIR JSON arrays are never empty)" % where)
                    continue
                if partner is not None and len(partner) != len(value) and not key.startswith("_"):
                    out.append("%s: %d item(s) but %s has %d (they must align)"
                               % (where, len(value), partner_key, len(partner)))
                for i, item in enumerate(value):
                    at = "%s[%d]" % (where, i)
                    if item is None:
                        if partner is None:
                            out.append("%s: null (allowed only with a %s array beside it)" % (at, partner_key))
                        elif i < len(partner) and partner[i] is None:
                            out.append("%s: null in both %s and %s" % (at, key, partner_key))
                    elif isinstance(item, list):
                        out.append("%s: array inside an array" % at)
                    else:
                        self._value(item, at, out)
            else:
                self._value(value, where, out)

    def _value(self, value, where, out):
        if isinstance(value, dict):
            self._object(value, where, out)
        elif isinstance(value, str):
            if value == "":
                out.append("%s: empty string (FHIR strings are never empty)" % where)
            elif _SURROGATE.search(value):
                out.append("%s: string holds an unpaired UTF-16 surrogate (not Unicode text)" % where)


class FhirJs:
    """Runs fhirjs-worker.js once over all jobs, in parallel with the Python validators."""

    name = "fhir.js"

    def __init__(self):
        self.node = os.environ.get("HEARTH_FHIR_NODE", "node")
        self.worker = os.path.join(HERE, "fhirjs-worker.js")
        if not os.path.isdir(os.path.join(HERE, "node_modules", "fhir")):
            raise SetupError("node_modules/fhir is missing in %s" % HERE)
        self.proc = None

    def start(self, items):
        self.jobs = tempfile.TemporaryFile(mode="w+b")
        for item in items:
            line = json.dumps({"i": item.index, "resource": item.resource})  # ASCII-safe
            self.jobs.write(line.encode("ascii") + b"\n")
        self.jobs.seek(0)
        self.out = tempfile.TemporaryFile(mode="w+b")
        self.err = tempfile.TemporaryFile(mode="w+b")
        try:
            self.proc = subprocess.Popen([self.node, self.worker], cwd=HERE, stdin=self.jobs,
                                         stdout=self.out, stderr=self.err)
        except OSError as e:
            raise SetupError("cannot start node (%s): %s" % (self.node, e))

    def results(self, count):
        rc = self.proc.wait()
        self.out.seek(0)
        self.err.seek(0)
        stderr = self.err.read().decode("utf-8", "replace").strip()
        lines = self.out.read().decode("utf-8").splitlines()
        if rc != 0 or not lines:
            raise SetupError("FHIR.js worker failed (exit %s): %s" % (rc, stderr[-2000:]))
        ready = json.loads(lines[0])
        self.version = ready.get("fhir")
        found = {}
        for line in lines[1:]:
            if line.strip():
                res = json.loads(line)
                found[res["i"]] = res["errors"]
        if len(found) != count:
            raise SetupError("FHIR.js worker answered %d of %d resources: %s"
                             % (len(found), count, stderr[-2000:]))
        return found


# --------------------------------------------------------------------------- setup


def check_pins():
    """The virtualenv must hold exactly the versions in requirements.txt."""
    wrong = []
    with open(os.path.join(HERE, "requirements.txt"), encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            name, _, want = line.partition("==")
            name, want = name.strip(), want.strip()
            try:
                have = importlib.metadata.version(name)
            except importlib.metadata.PackageNotFoundError:
                have = None
            if have != want:
                wrong.append("%s %s (want %s)" % (name, have or "missing", want))
    with open(os.path.join(HERE, "package.json"), encoding="utf-8") as f:
        want_js = json.load(f)["dependencies"]["fhir"]
    try:
        with open(os.path.join(HERE, "node_modules", "fhir", "package.json"), encoding="utf-8") as f:
            have_js = json.load(f)["version"]
    except OSError:
        have_js = None
    if have_js != want_js:
        wrong.append("npm fhir %s (want %s)" % (have_js or "missing", want_js))
    if wrong:
        raise SetupError("installed versions differ from the pins: " + ", ".join(wrong))


# ---------------------------------------------------------------------------- main


def usage(stream):
    stream.write("usage: validate.sh [-q|--quiet] [--validators NAME,...] FILE...\n"
                 "  validators: %s (default: all)\n"
                 "  exit: 0 valid, 1 validation errors, 2 usage error, 3 harness not set up\n"
                 % ",".join(VALIDATORS))


def parse_args(argv):
    quiet, names, files = False, list(VALIDATORS), []
    args = iter(argv)
    for arg in args:
        if arg == "--":
            files.extend(args)
            break
        if arg in ("-h", "--help"):
            usage(sys.stdout)
            sys.exit(EXIT_OK)
        if arg in ("-q", "--quiet"):
            quiet = True
        elif arg == "--validators" or arg.startswith("--validators="):
            value = arg.partition("=")[2] if "=" in arg else next(args, "")
            names = [n.strip() for n in value.split(",") if n.strip()]
            bad = [n for n in names if n not in VALIDATORS]
            if bad or not names:
                raise UsageError("unknown validator(s): %s" % ", ".join(bad or ["(none)"]), True)
        elif arg.startswith("-"):
            raise UsageError("unknown option %s" % arg, True)
        else:
            files.append(arg)
    if not files:
        raise UsageError("no FILE given", True)
    return quiet, names, files


def summary(items, names, errors, versions, seconds, nfiles):
    per_validator = {n: 0 for n in names}
    per_type = {}
    for item in items:
        row = per_type.setdefault(item.rtype, {"checked": 0, **{n: 0 for n in names}})
        row["checked"] += 1
    for validator, item, _msg in errors:
        per_validator[validator] += 1
        per_type[item.rtype][validator] += 1
    entries = sum(1 for i in items if i.is_entry)
    lines = [
        "fhir-validate: %d error(s) in %d resource(s) (%d bundle entries) from %d file(s), %.2f s"
        % (len(errors), len(items), entries, nfiles, seconds),
        "validators: " + ", ".join("%s %s" % (n, versions.get(n, "?")) for n in names),
        "errors by validator: " + ", ".join("%s=%d" % (n, per_validator[n]) for n in names),
    ]
    width = max([len("resourceType")] + [len(t) for t in per_type])
    cols = ["checked"] + list(names)
    lines.append("%-*s  %s" % (width, "resourceType", "  ".join("%14s" % c for c in cols)))
    for rtype in sorted(per_type):
        row = per_type[rtype]
        lines.append("%-*s  %s" % (width, rtype, "  ".join("%14d" % row[c] for c in cols)))
    return ["# " + line for line in lines]


def main(argv):
    started = time.monotonic()
    try:
        quiet, names, files = parse_args(argv)
        items = collect(files)
    except UsageError as e:
        for line in str(e).splitlines():
            sys.stderr.write("fhir-validate: %s\n" % line)
        if e.show_usage:
            usage(sys.stderr)
        return EXIT_USAGE

    try:
        check_pins()
        py_validators = []
        if "fhir.resources" in names:
            py_validators.append(FhirResources())
        if "fhirclient" in names:
            py_validators.append(FhirClient())
        if "fhir-json" in names:
            py_validators.append(FhirJson())
        js = FhirJs() if "fhir.js" in names else None
        if js:
            js.start(items)

        found = {}  # (validator, index) -> [messages]
        for validator in py_validators:
            for item in items:
                msgs = validator.check(item.resource)
                if msgs:
                    found[(validator.name, item.index)] = msgs
        if js:
            for index, msgs in js.results(len(items)).items():
                if msgs:
                    found[("fhir.js", index)] = msgs
    except SetupError as e:
        sys.stderr.write("fhir-validate: harness problem: %s\n"
                         "fhir-validate: run tools/fhir-validate/setup.sh\n" % e)
        return EXIT_SETUP

    versions = {
        "fhir.resources": importlib.metadata.version("fhir.resources"),
        "fhirclient": importlib.metadata.version("fhirclient"),
        "fhir.js": getattr(js, "version", None) if js else None,
        "fhir-json": "(harness)",
    }
    errors = []
    for item in items:
        for name in names:
            for msg in found.get((name, item.index), ()):
                errors.append((name, item, msg))
    out = sys.stdout
    for name, item, msg in errors:
        out.write("%s\t%s\t%s\t%s\n" % (name, one_line(item.label), one_line(item.ref), one_line(msg)))
    if not quiet or errors:
        for line in summary(items, names, errors, versions, time.monotonic() - started, len(files)):
            out.write(line + "\n")
    out.flush()
    return EXIT_ERRORS if errors else EXIT_OK


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BrokenPipeError:  # e.g. piped into `head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_ERRORS)
