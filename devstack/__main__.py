"""``python -m devstack``: run the local stack until Ctrl-C or SIGTERM."""

from devstack.stack import main

raise SystemExit(main())
