"""``python -m devstack``: run the local stack until Ctrl-C or SIGTERM."""

import logging
import os
import sys

from devstack.stack import main

exit_status = main()
# Every part has stopped and said so. Leaving through the interpreter's finalisation
# would tear down the emulator's whole heap object by object (seconds on a busy
# machine) for nothing: flush what was written and end the process here.
logging.shutdown()
sys.stdout.flush()
sys.stderr.flush()
os._exit(exit_status)
