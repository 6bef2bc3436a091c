# Runs one invocation of a python3 model inside its sandbox: handler(event, context) from /code.
# The server may start the box before the invocation arrives: the handler's module is imported
# first, then the runner waits for its input on stdin: one line with the request id, then the event.
# The answer goes to the real stdout as one frame: a status byte, ten digits of length, the result
# ("0" answered, "E" the model raised, "H" bad handler, "M" out of memory). Everything the model
# prints, and any process it starts, writes to stderr (the log).
# Inside the box there is no network but the platform's API on a Unix socket, which this runner
# forwards to http://127.0.0.1:8080 so that models reach it with any HTTP client.
import os
import sys

result_fd = os.dup(1)  # not inherited by anything the model starts
os.dup2(2, 1)
sys.stdout = sys.stderr

try:
    import ctypes
    ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE 0: no core dumps, /proc/<pid>/mem closed
except Exception:
    pass

import importlib
import json
import socket
import threading
import traceback


def frame(status, body=b""):
    os.write(result_fd, status + b"%010d" % len(body))
    view = memoryview(body)
    while view:
        view = view[os.write(result_fd, view):]
    os._exit(0 if status == b"0" else 11)


def pump(source, sink):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            sink.sendall(data)
    except OSError:
        pass
    finally:
        try:
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def forward(listener):
    while True:
        client, _ = listener.accept()
        upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            upstream.connect("/run/omix/api.sock")
        except OSError:
            client.close()
            continue
        threading.Thread(target=pump, args=(client, upstream), daemon=True).start()
        threading.Thread(target=pump, args=(upstream, client), daemon=True).start()


if os.path.exists("/run/omix/api.sock"):
    try:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 8080))
        listener.listen(16)
        threading.Thread(target=forward, args=(listener,), daemon=True).start()
    except OSError:
        traceback.print_exc()

code_dir, handler = sys.argv[1], sys.argv[2]


class Context:
    def __init__(self, request_id):
        self.request_id = request_id
        self.function_name = handler


try:
    module_name, function_name = handler.rsplit(".", 1)
    sys.path.insert(0, code_dir)
    function = getattr(importlib.import_module(module_name), function_name)
except MemoryError:
    frame(b"M")
except BaseException:
    traceback.print_exc()
    frame(b"H")

try:
    request_id = sys.stdin.buffer.readline().decode("utf-8").strip()
    event = sys.stdin.buffer.read().decode("utf-8")
    result = function(event, Context(request_id))
    if not isinstance(result, str):
        result = json.dumps(result)
    body = result.encode("utf-8")
except MemoryError:
    frame(b"M")
except BaseException:
    traceback.print_exc()
    frame(b"E")
frame(b"0", body)
