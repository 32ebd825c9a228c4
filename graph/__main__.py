"""Entry point of ``python -m graph``: see ``graph.cli`` for the commands and exit codes.

Takes: the command line. Gives: the process exit status.
"""

import sys

from graph.cli import main

if __name__ == "__main__":
    sys.exit(main())
