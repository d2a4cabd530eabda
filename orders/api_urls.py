"""REST API routes of the orders app (mounted under /api/v1/, namespace "api")."""

urlpatterns: list = []
