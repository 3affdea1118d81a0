"""12345 hotline work orders and petitions: the write path (one transaction per command),
address placement, the case-loop link, classification wiring, reads, rates and lists,
hotspots, the bulletin section, and the order generator. See ``docs/hotline.md``."""
