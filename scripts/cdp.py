"""A headless Chromium driven over the DevTools protocol, with the standard library only.

    with Browser() as browser:
        page = browser.page()
        status = page.go("http://127.0.0.1:8085/ui/", headers={"Authorization": "Bearer ..."})
        html = page.dom()
        page.screenshot("index.png", width=1280)

Chromium is Debian's `chromium` (installed by scripts/install-test-tools). The
WebSocket client below is the small part of RFC 6455 the protocol needs: one
connection to 127.0.0.1, masked text frames out, text frames (possibly
fragmented) in.
"""
import base64
import json
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import time
import urllib.request


def chromium_binary():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise RuntimeError("chromium is not installed (scripts/install-test-tools installs Debian's)")


class WebSocket:
    def __init__(self, url):
        assert url.startswith("ws://")
        host_port, _, path = url[5:].partition("/")
        host, _, port = host_port.partition(":")
        self.sock = socket.create_connection((host, int(port)), timeout=60)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /{path} HTTP/1.1\r\nHost: {host_port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        response = b""
        while b"\r\n\r\n" not in response:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise RuntimeError("the DevTools endpoint closed the connection during the handshake")
            response += chunk
        head, _, self.buffer = response.partition(b"\r\n\r\n")
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError(f"WebSocket handshake refused: {head[:200]!r}")

    def send(self, text):
        payload = text.encode()
        header = bytearray([0x81])
        if len(payload) < 126:
            header.append(0x80 | len(payload))
        elif len(payload) < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", len(payload))
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", len(payload))
        mask = os.urandom(4)
        header += mask
        self.sock.sendall(bytes(header) + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def _read(self, count):
        while len(self.buffer) < count:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise RuntimeError("the DevTools connection closed")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def receive(self):
        message = b""
        while True:
            first, second = self._read(2)
            length = second & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._read(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(length)
            opcode = first & 0x0F
            if opcode == 0x8:
                raise RuntimeError("the DevTools connection was closed by the browser")
            if opcode in (0x9, 0xA):
                continue
            message += payload
            if first & 0x80:
                return message.decode()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Page:
    """One tab: navigation with the HTTP status of the document, its DOM, screenshots."""

    def __init__(self, ws_url):
        self.ws = WebSocket(ws_url)
        self.next_id = 0
        self.events = []
        self.call("Page.enable")
        self.call("Network.enable")
        self.call("Runtime.enable")

    def call(self, method, **params):
        self.next_id += 1
        ident = self.next_id
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.receive())
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_event(self, name, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for index, event in enumerate(self.events):
                if event.get("method") == name:
                    return self.events.pop(index)
            self.events.append(json.loads(self.ws.receive()))
        raise RuntimeError(f"no {name} within {timeout} s")

    def headers(self, headers):
        """Extra request headers for every following request (e.g. Authorization)."""
        self.call("Network.setExtraHTTPHeaders", headers=headers or {})

    def _document_status(self):
        status = None
        for event in self.events:
            if event.get("method") == "Network.responseReceived" and event["params"].get("type") == "Document":
                status = event["params"]["response"]["status"]
        self.events = []
        return status

    def go(self, url, timeout=60):
        """Loads `url`; returns the HTTP status of the document the tab ends on and the seconds it took."""
        self.events = []
        started = time.time()
        self.call("Page.navigate", url=url)
        self.wait_event("Page.loadEventFired", timeout)
        return self._document_status(), time.time() - started

    def submit(self, script, timeout=60):
        """Runs `script` (which submits a form) and waits for the next page; returns its status."""
        self.events = []
        self.evaluate(script)
        self.wait_event("Page.loadEventFired", timeout)
        return self._document_status()

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression[:80]}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def dom(self):
        return self.evaluate("document.documentElement.outerHTML")

    def text(self):
        return self.evaluate("document.body.innerText")

    def cookies(self):
        return self.call("Network.getCookies")["cookies"]

    def screenshot(self, path, width=1280, height=900, mobile=False, full=True):
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=mobile)
        shot = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=full)
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        self.call("Emulation.clearDeviceMetricsOverride")

    def close(self):
        self.ws.close()


class Browser:
    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="jaas-chromium-")
        self.process = subprocess.Popen(
            [chromium_binary(), "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-dev-shm-usage", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
             f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        for _ in range(300):
            if os.path.exists(port_file) and open(port_file).read().strip():
                break
            if self.process.poll() is not None:
                raise RuntimeError(f"chromium exited with {self.process.returncode}")
            time.sleep(0.1)
        self.port = int(open(port_file).read().split()[0])

    def page(self):
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/json/new?about:blank", method="PUT")
        with urllib.request.urlopen(request, timeout=30) as response:
            target = json.load(response)
        return Page(target["webSocketDebuggerUrl"])

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def dump_dom(url, timeout=60):
    """`chromium --headless --dump-dom url`: the DOM after load, as the command line prints it."""
    profile = tempfile.mkdtemp(prefix="jaas-chromium-")
    try:
        result = subprocess.run([chromium_binary(), "--headless=new", "--no-sandbox", "--disable-gpu",
                                 f"--user-data-dir={profile}", "--dump-dom", url],
                                capture_output=True, text=True, timeout=timeout)
        return result.stdout
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def screenshot(url, path, width=1280, height=900, timeout=60):
    """`chromium --headless --screenshot=path --window-size=w,h url`."""
    profile = tempfile.mkdtemp(prefix="jaas-chromium-")
    try:
        subprocess.run([chromium_binary(), "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--user-data-dir={profile}", f"--screenshot={os.path.abspath(path)}",
                        f"--window-size={width},{height}", url],
                       capture_output=True, timeout=timeout)
        return os.path.exists(path) and os.path.getsize(path) > 0
    finally:
        shutil.rmtree(profile, ignore_errors=True)
