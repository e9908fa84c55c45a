"""The metric modules; importing this package registers every metric (see kpi.registry)."""
