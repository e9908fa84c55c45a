"""KPI metrics: outcomes (registered on import)."""
