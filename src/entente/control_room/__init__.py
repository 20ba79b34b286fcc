"""control_room: zones, sensors, alert intake, correlation into incidents (issue 3, first slice)."""
