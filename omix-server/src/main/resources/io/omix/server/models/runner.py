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

# What the box writes before this line is the launcher's (bubblewrap's, prlimit's); after it, the model's own.
os.write(2, b"omix-runner: started\n")

result_fd = os.dup(1)  # not inherited by anything the model starts
os.dup2(2, 1)
sys.stdout = sys.stderr



def not_dumpable():
    """prctl(PR_SET_DUMPABLE, 0): no core dumps, /proc/<pid>/mem and environ closed. Through _ctypes
    itself: the ctypes package costs a box five times the start-up time for this one call."""
    import _ctypes

    class c_int(_ctypes._SimpleCData):
        _type_ = "i"

    class c_long(_ctypes._SimpleCData):
        _type_ = "l"

    class Function(_ctypes.CFuncPtr):
        _flags_ = _ctypes.FUNCFLAG_CDECL
        _restype_ = c_int

    class Libc:
        _handle = _ctypes.dlopen(None, os.RTLD_NOW)

    Function(("prctl", Libc()))(c_int(4), c_long(0), c_long(0), c_long(0), c_long(0))


try:
    not_dumpable()
except Exception:
    pass


def log_exception():
    # Only the model's own frames: the runner's and the import machinery's are not its author's to read.
    import traceback  # only when something failed: an import less on every start
    kind, value, tb = sys.exc_info()
    own = [f for f in traceback.extract_tb(tb) if f.filename.startswith(code_dir)]
    if own:
        sys.stderr.write("Traceback (most recent call last):\n" + "".join(traceback.format_list(own)))
    sys.stderr.write("".join(traceback.format_exception_only(kind, value)))
    sys.stderr.flush()


def frame(status, body=b""):
    os.write(result_fd, status + b"%010d" % len(body))
    view = memoryview(body)
    while view:
        view = view[os.write(result_fd, view):]
    os._exit(0 if status == b"0" else 11)


# The forwarder uses the C modules under socket and threading: a box starts on every invocation, and
# their Python wrappers would cost it more import time than everything else the runner loads.
import _socket
import _thread


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
            sink.shutdown(_socket.SHUT_WR)
        except OSError:
            pass


def forward(listener):
    while True:
        try:
            fd, _ = listener._accept()
        except OSError:
            continue
        client = _socket.socket(fileno=fd)
        upstream = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
        try:
            upstream.connect("/run/omix/api.sock")
            _thread.start_new_thread(pump, (client, upstream))
        except (OSError, RuntimeError):
            client.close()
            upstream.close()
            continue
        try:
            _thread.start_new_thread(pump, (upstream, client))
        except RuntimeError:
            # No thread for the answer: end the connection (the caller sees it closed) rather than leave it hanging.
            client.shutdown(_socket.SHUT_RDWR)
            upstream.shutdown(_socket.SHUT_RDWR)


# A thread's stack counts against the box's address-space limit: the default (8 MiB each) let a model
# that makes a few calls in a row run out of room for the forwarder's threads, and its calls then hung.
_thread.stack_size(256 * 1024)


code_dir, handler = sys.argv[1], sys.argv[2]   # before anything can fail: log_exception reads code_dir


if os.path.exists("/run/omix/api.sock"):
    try:
        listener = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
        listener.setsockopt(_socket.SOL_SOCKET, _socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 8080))
        listener.listen(16)
        _thread.start_new_thread(forward, (listener,))
    except OSError:
        log_exception()


class Context:
    def __init__(self, request_id):
        self.request_id = request_id
        self.function_name = handler


try:
    module_name, function_name = handler.rsplit(".", 1)
    sys.path.insert(0, code_dir)
    __import__(module_name)
    function = getattr(sys.modules[module_name], function_name)
except MemoryError:
    frame(b"M")
except BaseException:
    log_exception()
    frame(b"H")

try:
    request_id = sys.stdin.buffer.readline().decode("utf-8").strip()
    event = sys.stdin.buffer.read().decode("utf-8")
    result = function(event, Context(request_id))
    if not isinstance(result, str):
        import json
        result = json.dumps(result)
    body = result.encode("utf-8")
except MemoryError:
    frame(b"M")
except BaseException:
    log_exception()
    frame(b"E")
frame(b"0", body)
