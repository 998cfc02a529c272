"""``python -m backtriage``: the same command line as ``backtriage``."""

import sys

from backtriage.harness.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
