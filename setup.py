"""Package list for setuptools; everything else is in pyproject.toml.

The list is computed, so a new subpackage can never be left out of the wheel (an editable
install would still find it and hide the omission). ``find_packages`` follows the
backtriage/harness and backtriage/scoring links to the top-level folders.
"""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["backtriage", "backtriage.*"]),
        "backtriage._bundled.schemas",
        "backtriage._bundled.vignettes",
        "backtriage._bundled.policies",
    ]
)
