"""KPI metrics: money (registered on import)."""
