"""KPI metrics: partners (registered on import)."""
