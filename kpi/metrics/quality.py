"""KPI metrics: quality (registered on import)."""
