"""The case-study apps' server: `apps serve` (Voila with preheated kernels, gallery, page template
and script, kernel launcher). The widgets the app kernels import are shequlab.widgets."""
