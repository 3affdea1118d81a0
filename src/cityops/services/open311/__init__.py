"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) for client applications.

- ``keys``: API keys issued by cityops, stored hashed; the client a key names reports as a
  citizen (role ``public``, actor id ``open311.<name>``).
- ``catalog``: the city's catalog as Open311 services and service definitions.
- ``status``: our states and events in Open311's words (open/closed with notes that say why).
- ``documents``: a case as a public Open311 service request, never with anyone's personal data.
- ``intake``: ``POST requests`` into the same closed loop as every other report.
- ``queries``: ``GET requests``, ``requests/{id}``, ``tokens/{token}`` and the widely used
  ``servicerequestupdates`` extension, read from the case projection and its event log.
- ``encoding``: the JSON and XML documents, and errors as Open311 error lists.
"""
