"""Record linkage across the two countries' agencies (Splink on DuckDB, Spark configurable).

``names`` folds the ways French and English officials romanise the same names, ``model`` holds
the Splink settings and the same scoring in Python for the save-time check, ``run`` is the
resumable run behind ``entente resolve_entities``.
"""
