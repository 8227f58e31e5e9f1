"""Production Kafka helpers (topic creation from the contracts registry)."""
