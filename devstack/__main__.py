"""``python -m devstack``: run the local stack until Ctrl-C or SIGTERM."""

import gc

from devstack.stack import main

exit_status = main()
# Everything has stopped. Freezing the heap spares the interpreter's exit a collection of
# the emulator's many objects, which takes seconds on a busy machine.
gc.freeze()
raise SystemExit(exit_status)
