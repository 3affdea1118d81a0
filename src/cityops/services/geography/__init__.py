"""The geography service: install, import, export, locate, name.

* :mod:`.install` — write a whole geography (the generated demo city);
* :mod:`.importing` — a city's own regions (level by level) and unit grids, all or nothing;
* :mod:`.files` — reading GeoJSON / GeoPackage / Shapefile, writing GeoPackage;
* :mod:`.exporting` — a layer as GeoJSON or GeoPackage;
* :mod:`.locator` — point → grid, cached per engine, and the database's own answer;
* :mod:`.queries` — names and lists of regions and grids;
* :mod:`.revisions`, :mod:`.reading` — change counters and read-only transactions.

Writes are one transaction each and bump the revision of the layer they change, so cached
locators (``get_locator``) rebuild their index. Reads on SQLite use a read-only transaction
(no write lock). Every public name is importable from this package.
"""

from cityops.services.geography.exporting import (
    LAYERS,
    export_grids,
    export_layer,
    export_regions,
)
from cityops.services.geography.importing import (
    ImportSummary,
    RegionImportSummary,
    import_grids,
    import_regions,
)
from cityops.services.geography.install import (
    InstallSummary,
    install_demo_geography,
    write_geography,
)
from cityops.services.geography.locator import Locator, get_locator, locate_in_database
from cityops.services.geography.queries import (
    RegionInfo,
    communities,
    districts,
    full_name,
    grids_of,
    list_regions,
    region_name,
    streets,
)

__all__ = [
    "LAYERS",
    "ImportSummary",
    "InstallSummary",
    "Locator",
    "RegionImportSummary",
    "RegionInfo",
    "communities",
    "districts",
    "export_grids",
    "export_layer",
    "export_regions",
    "full_name",
    "get_locator",
    "grids_of",
    "import_grids",
    "import_regions",
    "install_demo_geography",
    "list_regions",
    "locate_in_database",
    "region_name",
    "streets",
    "write_geography",
]
