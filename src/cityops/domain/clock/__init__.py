"""Working time (工作时间): time limits, the city's working calendar and the case clocks."""
