"""Landing: what a delivery held, as columnar files the later stages read."""
