"""REST API routes of the connect app (mounted under /api/v1/, namespace "api")."""

urlpatterns: list = []
