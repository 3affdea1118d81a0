"""IoT monitoring (物联感知): sensor kinds, alarm levels and how a device's state follows its
readings. Pure."""
