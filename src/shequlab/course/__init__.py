"""Course build and check: curriculum/ + notebooks/ → nbgrader source/release, proven correct."""
