"""IoT monitoring (物联感知): the device registry, readings in (HTTP, MQTT), device states and
alarms, cases reported for confirmed alarms, the offline sweep and the figures (亮灯率 …)."""
