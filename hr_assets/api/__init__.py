"""The employee API the scheduling app calls: FastAPI over the warehouse, behind tokens (``hr-assets api``)."""
