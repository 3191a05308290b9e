"""Live fan-out of session events to the sockets watching them."""
