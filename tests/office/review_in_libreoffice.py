"""Review a .docx in a real LibreOffice, as a reviewer would, through its UNO bridge.

Run by Debian's /usr/bin/python3 (python3-uno), not the project's venv:

    /usr/bin/python3 review_in_libreoffice.py SPEC.json

SPEC: {"in": path, "out": path, "author": "Given Family", "actions": [...]}, each action one of
    {"comment": "passage to select", "text": "what the reviewer writes", "author": "..."}
    {"replace": "passage", "by": "new text"}       (tracked: a deletion and an insertion)
    {"insert_after": "passage", "text": "added"}   (tracked: an insertion)
    {"delete": "passage"}                           (tracked: a deletion)
The file is saved as Word 2007-365 (.docx), as LibreOffice's "Save as Word" does.
"""

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    entry = PropertyValue()
    entry.Name, entry.Value = name, value
    return entry


def connect(pipe):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    for _ in range(240):
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:
            time.sleep(0.25)
    raise SystemExit("LibreOffice did not answer on its UNO pipe")


def set_author(context, full_name):
    given, _, family = full_name.partition(" ")
    provider = context.ServiceManager.createInstanceWithContext(
        "com.sun.star.configuration.ConfigurationProvider", context
    )
    node = provider.createInstanceWithArguments(
        "com.sun.star.configuration.ConfigurationUpdateAccess",
        (prop("nodepath", "/org.openoffice.UserProfile/Data"),),
    )
    node.setPropertyValue("givenname", given)
    node.setPropertyValue("sn", family)
    node.commitChanges()


def find(doc, text):
    search = doc.createSearchDescriptor()
    search.SearchString = text
    search.SearchCaseSensitive = True
    found = doc.findFirst(search)
    if found is None:
        raise SystemExit(f"passage not found in the document: {text!r}")
    return found


def review(doc, actions):
    for action in actions:
        if "comment" in action:
            found = find(doc, action["comment"])
            note = doc.createInstance("com.sun.star.text.textfield.Annotation")
            note.Author = action.get("author", "")
            note.Initials = action.get("initials", "")
            note.Content = action["text"]
            found.getText().insertTextContent(found, note, True)
            continue
        doc.RecordChanges = True
        if "replace" in action:
            find(doc, action["replace"]).setString(action["by"])
        elif "insert_after" in action:
            found = find(doc, action["insert_after"])
            found.getText().insertString(found.getEnd(), action["text"], False)
        elif "delete" in action:
            find(doc, action["delete"]).setString("")
        doc.RecordChanges = False


def main():
    with open(sys.argv[1], encoding="utf-8") as handle:
        spec = json.load(handle)
    profile = tempfile.mkdtemp(prefix="plume-lo-")
    pipe = f"plume_review_{os.getpid()}"
    office = subprocess.Popen(
        [
            shutil.which("soffice") or "/usr/bin/soffice",
            f"-env:UserInstallation={uno.systemPathToFileUrl(profile)}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        context = connect(pipe)
        set_author(context, spec.get("author", "A Reviewer"))
        desktop = context.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", context
        )
        doc = desktop.loadComponentFromURL(
            uno.systemPathToFileUrl(os.path.abspath(spec["in"])),
            "_blank",
            0,
            (prop("Hidden", True),),
        )
        review(doc, spec["actions"])
        doc.storeToURL(
            uno.systemPathToFileUrl(os.path.abspath(spec["out"])),
            (prop("FilterName", "MS Word 2007 XML"),),
        )
        doc.close(True)
        with contextlib.suppress(Exception):  # the bridge drops as the office quits
            desktop.terminate()
    finally:
        try:
            office.wait(timeout=60)
        except subprocess.TimeoutExpired:
            office.kill()
            office.wait()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
