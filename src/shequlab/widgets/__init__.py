"""Kernel-side widgets of the case and workshop apps: header, controls, views, tables, charts,
language switch, CSV upload. App kernels import only these (and shequlab.data), never the app
server, within their memory budget."""
