"""JupyterHub for a cohort on one server: settings, spawner, exchange, start and rehearse."""
