"""REST API routes of the catalog app (mounted under /api/v1/, namespace "api")."""

urlpatterns: list = []
