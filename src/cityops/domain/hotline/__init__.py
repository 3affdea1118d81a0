"""12345 hotline work orders (政务服务便民热线工单) and petitions (信访): pure rules.

The order's life (DOMAIN.md §7): 受理 → 派单 → 签收 → 办理 → 答复 → 回访 → 办结, with returns
(退回), transfers (转办), extensions (延期), reopening (重办) and re-examination (回头看); orders
that are city-management matters are handed to the case loop (转案卷). The modules:

- ``vocabulary``: states, event types, kinds, channels, satisfaction (stable strings);
- ``model``: the order and its events as values;
- ``policy``: the city's hotline limits and thresholds (data, with defaults);
- ``machine``: one function per command → event, and ``evolve`` (event → order);
- ``assignments``: the dispatch records (派单记录) derived from an order's events;
- ``rates``: 及时签收率, 按时办结率, 回访满意率, 办结率;
- ``negative_list``: 应办不办 / 推诿扯皮 / 超期办理, and the 回头看 list;
- ``address``: address text → position and grid, from the city's names;
- ``hotspots`` and ``recurrence``: frequent matters and places, repeated and periodic problems;
- ``trends``: counts against targets such as "city-appearance orders −10 % on last year";
- ``petitions``: the petition ledger's states, limits and long-standing cases (积案).
"""
