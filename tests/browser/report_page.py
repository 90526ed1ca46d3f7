#!/usr/bin/env python3
"""Opens a faultline report.html in Debian's headless Chromium and reports what the page holds.

Drives Chromium through its DevTools protocol over --remote-debugging-pipe (fd 3: commands in,
fd 4: replies out, NUL-separated JSON), with the Python 3 standard library only. Prints one JSON
object on stdout: the load time, console messages and exceptions, the results of the checks given
with --eval (name=expression, evaluated in the page after load), the details shown after clicking
the element matched by --click, and writes a screenshot with --screenshot.

Usage: report_page.py REPORT.html [--screenshot OUT.png] [--width 1300] [--height 2400]
                      [--click CSS_SELECTOR] [--eval NAME=EXPR]... [--timeout 60]
"""
import argparse
import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time


class Browser:
    def __init__(self, timeout):
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="faultline-chromium-")
        # Above fd 10, so that moving them onto fds 3 and 4 in the child never overlaps.
        def high(fd):
            moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
            os.close(fd)
            return moved
        to_chrome_r, self.to_chrome = map(high, os.pipe())
        self.from_chrome, from_chrome_w = map(high, os.pipe())

        def wire():  # in the child: the pipes become fds 3 and 4
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)

        chromium = shutil.which("chromium") or "/usr/bin/chromium"
        args = [chromium, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--mute-audio", "--hide-scrollbars",
                "--user-data-dir=" + self.profile, "--remote-debugging-pipe", "about:blank"]
        self.proc = subprocess.Popen(args, preexec_fn=wire, close_fds=False,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.next_id = 0
        self.buffer = b""
        self.events = []

    def close(self):
        try:
            self.send("Browser.close", wait=False)
        except OSError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, 9)
            self.proc.wait()
        os.close(self.to_chrome)
        os.close(self.from_chrome)
        shutil.rmtree(self.profile, ignore_errors=True)

    def _read_message(self, deadline):
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("chromium did not answer in time")
            ready, _, _ = select.select([self.from_chrome], [], [], left)
            if ready:
                chunk = os.read(self.from_chrome, 1 << 20)
                if not chunk:
                    raise EOFError("chromium closed its DevTools pipe")
                self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method, params=None, session=None, wait=True):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_chrome, json.dumps(message).encode() + b"\0")
        if not wait:
            return None
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method, session):
        deadline = time.monotonic() + self.timeout
        for i, e in enumerate(self.events):
            if e.get("method") == method and e.get("sessionId") == session:
                return self.events.pop(i)
        while True:
            e = self._read_message(deadline)
            if e.get("method") == method and e.get("sessionId") == session:
                return e
            self.events.append(e)


def evaluate(browser, session, expression):
    result = browser.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                               "awaitPromise": True}, session)
    if "exceptionDetails" in result:
        return {"exception": result["exceptionDetails"].get("text", "exception")}
    return result["result"].get("value")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("report")
    parser.add_argument("--screenshot")
    parser.add_argument("--width", type=int, default=1300)
    parser.add_argument("--height", type=int, default=2400)
    parser.add_argument("--click", action="append", default=[])
    parser.add_argument("--eval", action="append", default=[])
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args()

    browser = Browser(args.timeout)
    out = {}
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.send("Target.attachToTarget",
                               {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            browser.send(domain + ".enable", {}, session)
        browser.send("Emulation.setDeviceMetricsOverride",
                     {"width": args.width, "height": args.height, "deviceScaleFactor": 1,
                      "mobile": False}, session)
        url = "file://" + os.path.abspath(args.report)
        start = time.monotonic()
        browser.send("Page.navigate", {"url": url}, session)
        browser.wait_event("Page.loadEventFired", session)
        out["load_seconds"] = time.monotonic() - start
        out["navigation_ms"] = evaluate(browser, session,
            "(() => { const n = performance.getEntriesByType('navigation')[0];"
            " return n ? n.loadEventEnd - n.startTime : null; })()")
        out["checks"] = {}
        for item in args.eval:
            name, _, expression = item.partition("=")
            out["checks"][name] = evaluate(browser, session, expression)
        out["clicks"] = []
        for selector in args.click:
            box = evaluate(browser, session,
                "(() => { const e = document.querySelector(%s); if (!e) return null;"
                " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
                " return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()"
                % json.dumps(selector))
            if box is None:
                out["clicks"].append({"selector": selector, "found": False})
                continue
            for kind in ("mousePressed", "mouseReleased"):
                browser.send("Input.dispatchMouseEvent",
                             {"type": kind, "x": box["x"], "y": box["y"], "button": "left",
                              "clickCount": 1}, session)
            shown = evaluate(browser, session,
                "(() => { const d = [...document.querySelectorAll('.detail')]"
                ".find(d => !d.hidden); return d ? d.textContent : null; })()")
            out["clicks"].append({"selector": selector, "found": True, "detail": shown})
        if args.screenshot:
            shot = browser.send("Page.captureScreenshot", {"format": "png"}, session)
            with open(args.screenshot, "wb") as f:
                f.write(base64.b64decode(shot["data"]))
        # Let late console messages and exceptions arrive, then collect them.
        evaluate(browser, session, "new Promise(r => setTimeout(r, 200))")
        out["console"] = []
        for e in browser.events:
            method = e.get("method")
            if method == "Runtime.consoleAPICalled":
                out["console"].append(" ".join(str(a.get("value", a.get("description", "")))
                                               for a in e["params"].get("args", [])))
            elif method == "Runtime.exceptionThrown":
                out["console"].append("exception: " +
                                      e["params"]["exceptionDetails"].get("text", ""))
            elif method == "Log.entryAdded":
                entry = e["params"]["entry"]
                out["console"].append(f"{entry.get('source')}: {entry.get('text')}")
    finally:
        browser.close()
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
