"""Save a workbook as an Excel 97-2003 file with a password, through LibreOffice's UNO bridge.

Run by Debian's /usr/bin/python3 (python3-uno), not the project's interpreter:
``python3 soffice_encrypt.py SOURCE TARGET PASSWORD PROFILE_URL``."""

import contextlib
import subprocess
import sys
import time
import uuid

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]


def _prop(name, value):  # type: ignore[no-untyped-def]
    prop = PropertyValue()
    prop.Name, prop.Value = name, value
    return prop


def main(source: str, target: str, password: str, profile: str) -> None:
    pipe = f"ioc-{uuid.uuid4().hex}"
    office = subprocess.Popen(
        ["soffice", "--headless", "--norestore", f"-env:UserInstallation={profile}",
         f"--accept=pipe,name={pipe};urp;"]
    )  # fmt: skip
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        for _ in range(240):
            try:
                remote = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:  # not listening yet
                time.sleep(0.5)
        else:
            raise SystemExit("soffice did not start")
        desktop = remote.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", remote
        )
        doc = desktop.loadComponentFromURL(
            uno.systemPathToFileUrl(source), "_blank", 0, (_prop("Hidden", True),)
        )
        doc.storeToURL(
            uno.systemPathToFileUrl(target),
            (_prop("FilterName", "MS Excel 97"), _prop("Password", password)),
        )
        doc.close(True)
        with contextlib.suppress(Exception):  # the bridge closes as soffice quits
            desktop.terminate()
        office.wait(timeout=60)
    finally:
        if office.poll() is None:
            office.kill()


if __name__ == "__main__":
    main(*sys.argv[1:5])
