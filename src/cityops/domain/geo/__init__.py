"""Geography: coordinate systems (``coords``), administrative and unit grid codes (``codes``),
point → grid lookup (``index``), layer values (``layers``), reading and checking imported
features (``features``, ``region_import``, ``grid_import``), containment and overlap with a
tolerance (``topology``), GeoJSON (``geojson``), ground measures (``measure``) and the
generated demo city (``demo_city`` and its ``demo_*`` helpers). See docs/geography.md."""
