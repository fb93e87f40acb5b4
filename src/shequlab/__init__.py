"""shequlab: a training environment for Shanghai community social workers."""

__version__ = "0.1.0"
