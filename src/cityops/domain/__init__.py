"""The pure domain core: values, rules and arithmetic of city management.

Nothing under ``cityops.domain`` imports a web framework, an ORM or a database driver
(``tests/unit/test_layers.py`` enforces it). NumPy and Shapely are allowed: they are arithmetic.
"""
