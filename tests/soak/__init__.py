"""`make soak`: the system under a steady load for an hour, with faults in it (see run.py)."""
