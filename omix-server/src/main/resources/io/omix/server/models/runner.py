# Runs one invocation of a python3 model: handler(event, context) from the model's code directory.
# The event arrives on stdin; the result goes to the real stdout, everything the model prints goes
# to stderr. Exit codes: 0 result written, 11 the model raised, 13 out of memory, 14 bad handler
# (distinct from what a signal death looks like through unshare and prlimit).
import importlib
import json
import os
import sys
import traceback

code_dir, handler, request_id = sys.argv[1], sys.argv[2], sys.argv[3]
out = sys.stdout
sys.stdout = sys.stderr


class Context:
    def __init__(self):
        self.request_id = request_id
        self.function_name = handler


try:
    module_name, function_name = handler.rsplit(".", 1)
    sys.path.insert(0, code_dir)
    function = getattr(importlib.import_module(module_name), function_name)
except MemoryError:
    os._exit(13)
except Exception:
    traceback.print_exc()
    os._exit(14)

event = sys.stdin.read()
try:
    result = function(event, Context())
except MemoryError:
    os._exit(13)
except Exception:
    traceback.print_exc()
    os._exit(11)

try:
    if not isinstance(result, str):
        result = json.dumps(result)
    out.write(result)
    out.flush()
except MemoryError:
    os._exit(13)
except Exception:
    traceback.print_exc()
    os._exit(11)
os._exit(0)
