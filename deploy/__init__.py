"""Running the app as processes: one server, or readers and a writer behind a proxy."""
