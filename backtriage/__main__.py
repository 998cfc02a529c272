"""``python -m backtriage``: the same command line as ``backtriage``."""

from backtriage.harness.cli.main import entry

if __name__ == "__main__":
    entry()
