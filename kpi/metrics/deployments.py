"""KPI metrics: deployments (registered on import)."""
