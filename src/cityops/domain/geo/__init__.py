"""Geography: coordinate systems (``coords``), administrative and unit grid codes (``codes``),
point → grid lookup (``index``), layer values (``layers``), import checks (``grid_import``),
GeoJSON (``geojson``), ground measures (``measure``) and the generated demo city
(``demo_city`` and its ``demo_*`` helpers). See docs/geography.md."""
