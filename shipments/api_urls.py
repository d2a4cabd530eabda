"""REST API routes of the shipments app (mounted under /api/v1/, namespace "api")."""

urlpatterns: list = []
