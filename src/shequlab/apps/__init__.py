"""Components for case-study apps (Voila): charts, filters, tables, language switch."""
