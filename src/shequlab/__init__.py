"""shequlab: training environment for Shanghai community social workers (Xinhua Road sample data)."""

__version__ = "0.1.0"
