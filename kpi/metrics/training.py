"""KPI metrics: training (registered on import)."""
